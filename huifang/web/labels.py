"""Every coded value the screens and exports show, in Chinese: one vocabulary per kind of value.

The pages get the same mapping as /app/labels.js (LABELS.gender.female → 女), the exports
through `label()`; nothing else spells these words, so a value never leaks out in English.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import StrEnum
from functools import cache
from typing import Any

from agent_assist.events import CueKind, Leg, Severity
from agent_assist.phone_cues import PhoneCueKind
from agent_assist.rule_schema import MisleadingSaleRule, WholeCallRule
from agent_assist.rule_set import RuleSet
from huifang.calls.events import CallStage, ItemState
from ivr.outcome import CallOutcome
from scripts_zh.answer_class import AnswerClass
from scripts_zh.dialogue_events import AnswerSource, ProblemReason
from scripts_zh.dialogue_events import CallOutcome as DialogueOutcome
from scripts_zh.script_schema import ProblemKind
from storage.agent_actions import AGENT_RAISED
from storage.analysis_models import FlagKind
from storage.attention import RevocationBasis
from storage.attention_kinds import (
    GROUND_LABELS,
    MEASURE_LABELS,
    SEVERITY_LABELS,
    STATUS_LABELS,
    AttentionGround,
    AttentionMeasure,
    AttentionSeverity,
    AttentionStatus,
    AttentionSubject,
)
from storage.campaign_models import AttemptOutcome, CampaignState
from storage.complaints import ClockName, ClockState
from storage.kpi_periods import Period
from storage.kpis import Grouping
from storage.models import CallDirection, CaseStatus, Gender, UserRole, Verdict
from storage.queue_models import (
    AssignmentStatus,
    ContactMethod,
    LetterVisitResult,
    LetterVisitStatus,
    ProposalStatus,
    QaVerdict,
)
from storage.review_models import Decision
from storage.service_models import (
    ComplaintChannel,
    ComplaintKind,
    PromiseStatus,
    ServiceStatus,
)

# Closed vocabularies: each covers every member of its enum (tests/web/test_web_labels.py).
ENUM_VOCABULARIES: dict[str, tuple[type[StrEnum], Mapping[Any, str]]] = {
    "gender": (Gender, {Gender.MALE: "男", Gender.FEMALE: "女"}),
    "direction": (CallDirection, {CallDirection.OUTBOUND: "呼出", CallDirection.INBOUND: "呼入"}),
    "verdict": (Verdict, {Verdict.CONFIRMED: "已确认", Verdict.PROBLEM: "问题"}),
    "role": (UserRole, {
        UserRole.AGENT: "回访坐席", UserRole.REVIEWER: "质检员", UserRole.SUPERVISOR: "主管",
        UserRole.ADMIN: "管理员"}),
    "caseStatus": (CaseStatus, {CaseStatus.OPEN: "处理中", CaseStatus.CLOSED: "已结案"}),
    "callOutcome": (CallOutcome, {
        CallOutcome.COMPLETED: "正常结束", CallOutcome.PEER_HUNG_UP: "客户挂断",
        CallOutcome.NO_ANSWER: "无人接听", CallOutcome.BUSY: "占线",
        CallOutcome.REJECTED: "拒接", CallOutcome.INVALID_NUMBER: "空号/错号",
        CallOutcome.MEDIA_TIMEOUT: "通话无声中断", CallOutcome.TRANSFERRED: "已转人工",
        CallOutcome.CANCELLED: "已取消", CallOutcome.NO_ACK: "接通未确认",
        CallOutcome.UNUSABLE_OFFER: "媒体协商失败", CallOutcome.INTERRUPTED: "处理中断",
        CallOutcome.FAILED: "系统失败"}),
    "dialogueOutcome": (DialogueOutcome, {
        DialogueOutcome.ALL_CONFIRMED: "全部确认",
        DialogueOutcome.COMPLETED_WITH_PROBLEMS: "有问题项",
        DialogueOutcome.TRANSFERRED: "转人工", DialogueOutcome.IDENTITY_FAILED: "身份核实未通过",
        DialogueOutcome.NO_RESPONSE: "无应答", DialogueOutcome.HUNG_UP: "中途挂断"}),
    "callStage": (CallStage, {
        CallStage.DIALLING_AGENT: "正在呼叫您的软电话", CallStage.DIALLING_CUSTOMER: "正在呼叫客户",
        CallStage.ROBOT: "机器人回访中", CallStage.BRIDGED: "通话中",
        CallStage.NO_FREE_AGENT: "暂无空闲坐席", CallStage.ENDED: "已结束"}),
    "itemState": (ItemState, {
        ItemState.ASKED: "已问", ItemState.CONFIRMED: "已确认", ItemState.PROBLEM: "问题"}),
    "flagKind": (FlagKind, {
        FlagKind.MISLEADING_SALE: "销售误导", FlagKind.WHOLE_CALL: "整通规则",
        FlagKind.VOICE_CUE: "声音核实", FlagKind.DUPLICATE_VOICE: "同声多单",
        FlagKind.PHONE_CUE: "号码线索", FlagKind.SPECIAL_ATTENTION: "特别关注",
        FlagKind.IDENTITY: "身份核实"}),
    "severity": (Severity, {Severity.HIGH: "高", Severity.MEDIUM: "中", Severity.LOW: "低"}),
    "leg": (Leg, {Leg.AGENT: "坐席", Leg.CUSTOMER: "客户"}),
    "cueKind": (CueKind, {
        CueKind.GENDER_MISMATCH: "性别不符", CueKind.AGE_MISMATCH: "年龄不符",
        CueKind.VOICE_CHANGER: "疑似变声", CueKind.DUPLICATE_VOICE: "同声多单"}),
    "phoneCue": (PhoneCueKind, {
        PhoneCueKind.NUMBER_RANGE: "号段相近", PhoneCueKind.SHARED_NUMBER: "多人共用号码",
        PhoneCueKind.CHANGED_AFTER_PURCHASE: "投保后改号"}),
    "decision": (Decision, {Decision.CONFIRMED: "已确认为问题件", Decision.DISMISSED: "已排除"}),
    "problemKind": (ProblemKind, {
        ProblemKind.IDENTITY: "身份", ProblemKind.PROCESS: "流程", ProblemKind.CONCEALMENT: "隐瞒",
        ProblemKind.INDUCEMENT: "诱导", ProblemKind.DECEPTION: "欺骗"}),
    "problemReason": (ProblemReason, {
        ProblemReason.DENIED: "否认", ProblemReason.UNSURE: "仍不清楚",
        ProblemReason.NEEDED_EXPLANATION: "经解释后确认",
        ProblemReason.NO_CLEAR_ANSWER: "回答不明确",
        ProblemReason.NO_ANSWER: "未回答", ProblemReason.IDENTITY_MISMATCH: "身份信息不符",
        ProblemReason.NOT_POLICYHOLDER: "非投保人本人",
        ProblemReason.SURRENDER_OR_COMPLAINT: "退保或投诉"}),
    "answerSource": (AnswerSource, {
        AnswerSource.SPEECH: "语音", AnswerSource.DTMF: "按键", AnswerSource.TIMEOUT: "超时"}),
    "answerClass": (AnswerClass, {
        AnswerClass.AFFIRMATIVE: "肯定", AnswerClass.NEGATIVE: "否定", AnswerClass.UNSURE: "不确定",
        AnswerClass.QUESTION: "提问", AnswerClass.HUMAN: "要求转人工",
        AnswerClass.SURRENDER_OR_COMPLAINT: "退保/投诉", AnswerClass.OTHER: "其他"}),
    "campaignState": (CampaignState, {
        CampaignState.PENDING: "待拨打", CampaignState.IN_PROGRESS: "拨打中",
        CampaignState.DONE: "已完成", CampaignState.LETTER_OR_VISIT: "转信函/上门"}),
    "attemptOutcome": (AttemptOutcome, {
        AttemptOutcome.SUCCESS: "回访成功", AttemptOutcome.PROBLEM_CASE: "问题件",
        AttemptOutcome.WANTS_HUMAN: "转人工", AttemptOutcome.NO_ANSWER: "无人接听",
        AttemptOutcome.BUSY: "占线", AttemptOutcome.INVALID_NUMBER: "空号/错号",
        AttemptOutcome.HUNG_UP: "挂断", AttemptOutcome.REFUSED: "拒接",
        AttemptOutcome.FAILED: "系统失败"}),
    "attentionSubject": (AttentionSubject, {
        AttentionSubject.SALESPERSON: "业务员", AttentionSubject.TEAM: "团队",
        AttentionSubject.BRANCH: "分公司"}),
    # storage.attention_kinds keeps the words the written report uses too: one vocabulary.
    "attentionStatus": (AttentionStatus, STATUS_LABELS),
    "attentionGround": (AttentionGround, GROUND_LABELS),
    "attentionSeverity": (AttentionSeverity, SEVERITY_LABELS),
    "attentionMeasure": (AttentionMeasure, MEASURE_LABELS),
    "revocationBasis": (RevocationBasis, {
        RevocationBasis.VERIFICATION: "核查无违规",
        RevocationBasis.CLEAN_PERIOD: "监测期满无违规"}),
    "contactMethod": (ContactMethod, {ContactMethod.LETTER: "信函", ContactMethod.VISIT: "上门"}),
    "letterVisitStatus": (LetterVisitStatus, {
        LetterVisitStatus.OPEN: "待处理", LetterVisitStatus.SENT: "已寄出",
        LetterVisitStatus.ASSIGNED: "已指派", LetterVisitStatus.CLOSED: "已结束"}),
    "letterVisitResult": (LetterVisitResult, {
        LetterVisitResult.CONFIRMED: "全部确认", LetterVisitResult.PROBLEMS: "有问题项",
        LetterVisitResult.REFUSED: "拒绝回访", LetterVisitResult.UNREACHABLE: "未回复/未见到"}),
    "qaVerdict": (QaVerdict, {QaVerdict.CLEAN: "无问题", QaVerdict.MISS: "漏检"}),
    "assignmentStatus": (AssignmentStatus, {
        AssignmentStatus.OPEN: "待回访", AssignmentStatus.DONE: "已完成"}),
    "proposalStatus": (ProposalStatus, {
        ProposalStatus.PENDING: "待确认", ProposalStatus.ACCEPTED: "已采纳",
        ProposalStatus.DISMISSED: "已驳回"}),
    "complaintKind": (ComplaintKind, {
        ComplaintKind.COMPLAINT: "投诉", ComplaintKind.STRONG: "强烈抱怨"}),
    "complaintChannel": (ComplaintChannel, {
        ComplaintChannel.CALLBACK: "回访通话", ComplaintChannel.PHONE: "电话",
        ComplaintChannel.LETTER: "信函", ComplaintChannel.VISIT: "来访",
        ComplaintChannel.OTHER: "其他"}),
    "complaintClock": (ClockName, {
        ClockName.ACKNOWLEDGE: "受理确认", ClockName.RESPOND: "答复方案",
        ClockName.HANDLE: "处理", ClockName.FEEDBACK: "书面反馈"}),
    "clockState": (ClockState, {
        ClockState.RUNNING: "进行中", ClockState.DUE_SOON: "即将到期", ClockState.OVERDUE: "已超时",
        ClockState.MET: "按时", ClockState.MISSED: "超时完成", ClockState.NOT_STARTED: "未开始"}),
    "serviceStatus": (ServiceStatus, {
        ServiceStatus.RECEIVED: "待受理", ServiceStatus.MATERIAL_REQUESTED: "待补材料",
        ServiceStatus.ACCEPTED: "已受理", ServiceStatus.COMPLETED: "已办结",
        ServiceStatus.WITHDRAWN: "已撤回"}),
    "promiseStatus": (PromiseStatus, {PromiseStatus.OPEN: "待办", PromiseStatus.KEPT: "已兑现"}),
    "period": (Period, {Period.DAY: "按日", Period.WEEK: "按周", Period.MONTH: "按月"}),
    "grouping": (Grouping, {
        Grouping.OVERALL: "全部", Grouping.SALESPERSON: "销售人员", Grouping.TEAM: "团队",
        Grouping.BRANCH: "分支机构", Grouping.PRODUCT: "产品"}),
}  # fmt: skip

# Vocabularies whose values are plain strings in the code that writes them.
STRING_VOCABULARIES: dict[str, dict[str, str]] = {
    # the audit trail's actions (storage.dispositions, problem_cases, attention_audit)
    "auditAction": {
        "flag.confirm": "确认标记", "flag.dismiss": "排除标记", "case.open": "开立问题件",
        "case.assign": "分类分派", "case.resolve": "结案", "case.remind": "期限提醒",
        "case.overdue": "逾期标记", "attention.report": "报告特别关注",
        "attention.observe": "转为观察", "attention.revoke": "撤销特别关注",
        "attention.rectify": "转入整改", "attention.propose": "特别关注提议",
        "attention.accept": "采纳提议", "attention.dismiss": "驳回提议",
        "complaint.receive": "受理投诉", "complaint.acknowledge": "投诉受理确认",
        "complaint.respond": "投诉答复", "complaint.classified": "投诉分类",
        "complaint.investigating": "投诉调查", "complaint.handled": "投诉处理",
        "complaint.fed_back": "投诉反馈", "complaint.reviewed": "投诉复核",
        "complaint.archived": "投诉归档", "complaint.remind": "投诉时限提醒",
        "complaint.escalate": "投诉超时升级", "service.receive": "转保全",
        "service.overdue": "保全逾期", "service.material_requested": "告知补材料",
        "service.accepted": "保全受理", "service.completed": "保全办结",
        "service.withdrawn": "客户撤回保全", "promise.keep": "兑现承诺",
        "promise.overdue": "承诺逾期", "letter.print": "打印信函", "letter.assign": "指派上门",
        "letter.result": "录入信函/上门结果",
        "qa.sample": "抽检", "qa.review": "抽检复核",
        # huifang.web: sign-ins, user accounts, exports
        "sign_in": "登录", "sign_in.failed": "登录失败", "user.add": "新增用户",
        "user.activate": "启用用户", "user.deactivate": "停用用户", "user.role": "变更角色",
        "user.password_reset": "重置密码", "user.revoke_sessions": "注销全部会话",
        "export": "导出",
        # storage.policy_import / policy_changes: imports and what they changed
        "policies.import": "导入保单", "policy.update": "保单变更",
        # storage.agent_actions: what an agent did on the live screen
        "open": "坐席开立问题件", "mark": "坐席标记", "note": "坐席备注",
        "problem_case": "坐席提交问题件", "complaint": "坐席登记投诉",
        "surrender": "坐席登记退保申请"},
    "auditEntity": {
        "flag": "标记", "problem_case": "问题件", "attention_entry": "特别关注",
        "agent_action": "坐席操作", "complaint": "投诉", "customer_promise": "客户承诺",
        "service_request": "保全申请", "user": "用户", "export": "导出",
        "import": "导入", "policy": "保单"},
    "signInOutcome": {
        "signed_in": "登录成功", "unknown_user": "无此用户", "wrong_password": "密码错误",
        "inactive": "账号已停用"},
    # the fields of the audit trail's before/after snapshots
    "auditField": {
        "id": "编号", "policy_id": "保单ID", "call_id": "通话", "kind": "问题类型",
        "reason": "原因",
        "status": "状态", "opened_at": "开立时间", "closed_at": "结案时间",
        "classification": "问题分类", "handler_id": "处理人ID", "assigned_by": "分派人ID",
        "deadline": "处理期限", "reminded_at": "提醒时间", "overdue_at": "逾期时间",
        "resolution": "处理结果", "resolved_by": "结案人ID", "resolved_at": "结案时间",
        "flag_id": "标记", "decision": "处置", "problem_case_id": "问题件", "subject": "对象",
        "name": "名称", "within_branch": "所属分公司", "label": "对象名称",
        "effective_from": "生效日期", "revoked_on": "撤销日期", "updated_at": "更新时间",
        "step_id": "话术项", "state": "状态", "text": "内容", "note": "备注",
        "address": "来源地址", "outcome": "结果", "username": "用户名", "role": "角色",
        "active": "启用", "sessions_valid_after": "会话有效起点", "file": "文件",
        "title": "标题", "rows": "行数", "masked": "已遮蔽", "filters": "筛选条件",
        # an import's summary and the policy fields it may change
        "source": "来源", "imported": "新增", "updated": "更新", "unchanged": "未变",
        "rejected": "拒收", "family": "产品类型", "product_name": "产品名称",
        "holder_name": "投保人", "holder_gender": "投保人性别", "holder_birth_date": "投保人生日",
        "holder_id_last4": "证件末四位", "phone": "电话", "insured_name": "被保险人",
        "premium_yuan": "保费（元）", "payment_years": "缴费年期", "payment_frequency": "缴费方式",
        "coverage_term": "保障期间", "coverage_months": "保障月数", "sign_date": "签单日期",
        "receipt_date": "回执日期", "cooling_off_days": "犹豫期天数",
        "cooling_off_deadline": "犹豫期截止", "salesperson": "销售人员", "team": "团队",
        "outlet": "网点", "branch": "分公司"},
    # which decoding produced a stored transcript
    "transcriptPass": {"live": "实时转写", "after_call": "整通复核转写"},
    # the product families as stored (storage.families codes)
    "family": {
        "traditional": "传统型", "participating": "分红型", "universal": "万能型",
        "unit_linked": "投连型", "health": "健康/重疾"},
}  # fmt: skip


@cache
def vocabularies() -> dict[str, dict[str, str]]:
    """Every vocabulary as plain strings, by name."""
    plain = {
        name: {str(value): text for value, text in labels.items()}
        for name, (_enum, labels) in ENUM_VOCABULARIES.items()
    }
    # The misleading-sale rules by id (a confirmed flag's case has its rule as the reason).
    rules = RuleSet.load()
    named: list[MisleadingSaleRule | WholeCallRule] = [*rules.rules, *rules.whole_call_rules]
    plain["rule"] = {rule.id: f"{rule.category}·{rule.subcategory}" for rule in named}
    # A flag's category: 欺骗/隐瞒/诱导/违规操作 for rules, the cue's kind for voice and phone cues.
    plain["flagCategory"] = plain["cueKind"] | plain["phoneCue"]
    # A problem case's reason: the dialogue's, an agent's case, or the confirmed flag's rule.
    plain["caseReason"] = plain["problemReason"] | {AGENT_RAISED: "坐席提交"} | plain["rule"]
    return plain | STRING_VOCABULARIES


def label(vocabulary: str, value: str | None) -> str:
    """The Chinese word for a value; the value itself when the vocabulary lacks it."""
    if value is None:
        return ""
    return vocabularies()[vocabulary].get(str(value), str(value))


@cache
def labels_script() -> str:
    """The vocabularies as the pages load them: a frozen global LABELS."""
    data = json.dumps(vocabularies(), ensure_ascii=False, indent=1)
    return (
        "// Served by huifang/web/labels.py: every coded value the pages show, in Chinese.\n"
        f'"use strict";\nconst LABELS = Object.freeze({data});\n'
    )
