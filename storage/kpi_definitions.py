"""What each callback KPI counts, kept as data: shown beside the figure in the UI, the API,
the CSV export and the CLI, so the number and its definition never drift apart."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class KpiUnit(StrEnum):
    """How a figure is read: a share, or a duration in working days."""

    PERCENT = "percent"
    WORKING_DAYS = "working_days"


class KpiKey(StrEnum):
    """The stable names of the figures (API fields, CSV rows, CLI keys)."""

    SUCCESS = "success_rate"
    COOLING_OFF_SUCCESS = "cooling_off_success_rate"
    FIRST_ATTEMPT_SUCCESS = "first_attempt_success_rate"
    PROBLEM_CASE = "problem_case_rate"
    INVALID_NUMBER = "invalid_number_rate"
    CASE_MEAN_DAYS = "case_handling_mean_days"
    CASE_MEDIAN_DAYS = "case_handling_median_days"
    CASE_ON_TIME = "case_on_time_rate"
    INQUIRY_COMPLAINT = "inquiry_complaint_rate"


@dataclass(frozen=True)
class KpiDefinition:
    """One figure: its name, what is divided by what, which rows count, which date buckets them."""

    key: KpiKey
    name: str
    unit: KpiUnit
    numerator: str
    denominator: str
    counts: str
    bucketed_by: str
    higher_is_better: bool


# A successful callback (回访成功): the script ran to its end with the policyholder.
_SUCCESS = (
    "回访成功 = 该保单有一通通话的对话结果为“全部确认”或“完成但有问题项”"
    "（all_confirmed / completed_with_problems，呼出或客户回拨均算），"
    "或是坐席接听的实时通话（含机器人转人工）且话术中适用于该保单的每一项都有结果——"
    "机器人已判定或坐席在坐席屏上最后标记为“已确认”或“问题”，身份核实项不是“问题”；"
    "无通话记录的外呼尝试按尝试结果 success / problem_case 计；"
    "电话未能回访的保单，信函回执或上门回访结果为“全部确认”或“有问题项”也算回访成功"
)
# 应回访: new business with a term over one year (人身保险业务基本服务规定).
_SCOPE = (
    "应回访保单数：期间内回执的新契约中保险期间超过一年的保单（终身、至某岁、超过 12 个月的定期；"
    "未填保险期间的按应回访计），一年期及以下的短期险不计"
)
_POLICY_COHORT = (
    "保单回执日期（receipt_date）所在期间；只计应回访保单；统计到查询时为止的全部通话、外呼尝试和信函/上门结果"
)
_DIALLED = (
    "拨打 = 呼出通话（calls.direction = outbound）或已拨出的外呼尝试（campaign_attempts.dialled），"
    "同一尝试及其通话只算一次，按开始时间排序"
)
_RESOLVED = (
    "已结案的问题件（problem_cases.status = closed）；分组取问题件所属保单；"
    "工作日按节假日日历（含调休上班日）计，开立当天不计、结案当天计"
)
_INQUIRIES = (
    "电话咨询 = 接通的呼入电话（含未关联保单的来电）"
    "加上客户在通话中提问、要求退保或投诉的接通回访电话；"
    "接通 = 通话结果为 completed / peer_hung_up / transferred / media_timeout，或有对话结果。"
    "投诉与强烈抱怨以通话登记的投诉（complaints，含“强烈抱怨”）为准：普通提问和退保申请不算投诉"
)

DEFINITIONS: tuple[KpiDefinition, ...] = (
    KpiDefinition(
        KpiKey.SUCCESS, "回访成功率", KpiUnit.PERCENT,
        numerator="回访成功的保单数",
        denominator=_SCOPE,
        counts=_SUCCESS, bucketed_by=_POLICY_COHORT, higher_is_better=True,
    ),
    KpiDefinition(
        KpiKey.COOLING_OFF_SUCCESS, "犹豫期回访成功率", KpiUnit.PERCENT,
        numerator="首次回访成功的通话开始日（当地日期）不晚于犹豫期截止日（cooling_off_deadline）的保单数",
        denominator=_SCOPE,
        counts=_SUCCESS, bucketed_by=_POLICY_COHORT, higher_is_better=True,
    ),
    KpiDefinition(
        KpiKey.FIRST_ATTEMPT_SUCCESS, "首次回访成功率", KpiUnit.PERCENT,
        numerator="第一次回访（最早的一次外呼或客户来电回访）即成功的保单数；从未拨打的保单不算成功",
        denominator=_SCOPE + "（包括从未拨打的保单）",
        counts=f"{_DIALLED}；客户来电回访也算一次回访；{_SUCCESS}",
        bucketed_by=_POLICY_COHORT, higher_is_better=True,
    ),
    KpiDefinition(
        KpiKey.PROBLEM_CASE, "回访问题件率", KpiUnit.PERCENT,
        numerator="开立过问题件（problem_cases，任何来源）的保单数",
        denominator="回访有结论的保单数：回访成功或开立过问题件的保单",
        counts=_SUCCESS, bucketed_by=_POLICY_COHORT, higher_is_better=False,
    ),
    KpiDefinition(
        KpiKey.INVALID_NUMBER, "无效电话率", KpiUnit.PERCENT,
        numerator=(
            "任一次拨打结果为空号/错号（invalid_number：SIP 404/410/484/604），"
            "或接听人表示不是投保人本人、号码不属于投保人（not_policyholder）的保单数"
        ),
        denominator="至少拨打过一次的应回访保单数",
        counts=_DIALLED, bucketed_by=_POLICY_COHORT, higher_is_better=False,
    ),
    KpiDefinition(
        KpiKey.CASE_MEAN_DAYS, "问题件处理时效（平均）", KpiUnit.WORKING_DAYS,
        numerator="各问题件从开立到结案的工作日数之和",
        denominator="期间内结案的问题件数",
        counts=_RESOLVED, bucketed_by="结案日期（closed_at 的当地日期）所在期间",
        higher_is_better=False,
    ),
    KpiDefinition(
        KpiKey.CASE_MEDIAN_DAYS, "问题件处理时效（中位）", KpiUnit.WORKING_DAYS,
        numerator="各问题件从开立到结案的工作日数的中位数",
        denominator="期间内结案的问题件数",
        counts=_RESOLVED, bucketed_by="结案日期（closed_at 的当地日期）所在期间",
        higher_is_better=False,
    ),
    KpiDefinition(
        KpiKey.CASE_ON_TIME, "问题件按期处理率", KpiUnit.PERCENT,
        numerator="结案日期不晚于处理期限（case_handling.deadline；未分派的按开立日起算的期限）的问题件数",
        denominator="期间内结案的问题件数",
        counts=_RESOLVED, bucketed_by="结案日期（closed_at 的当地日期）所在期间",
        higher_is_better=True,
    ),
    KpiDefinition(
        KpiKey.INQUIRY_COMPLAINT, "咨询投诉率", KpiUnit.PERCENT,
        numerator="电话投诉或强烈抱怨的通话数（该通话登记了投诉或强烈抱怨）",
        denominator="电话咨询总量（见口径）",
        counts=_INQUIRIES, bucketed_by="通话开始时间（started_at 的当地日期）所在期间",
        higher_is_better=False,
    ),
)

BY_KEY: dict[KpiKey, KpiDefinition] = {d.key: d for d in DEFINITIONS}
