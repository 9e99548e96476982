"""The closed vocabularies of the special-attention list (特别关注): subjects, statuses, grounds,
severities and measures (no table here, so every table module may import them)."""

from __future__ import annotations

from enum import StrEnum


class AttentionSubject(StrEnum):
    """What an entry on the list names: one salesperson, a team or a whole branch."""

    SALESPERSON = "salesperson"
    TEAM = "team"
    BRANCH = "branch"


class AttentionStatus(StrEnum):
    """Where an entry stands; it only moves forward, and a revoked entry stays revoked."""

    REPORTED = "reported"  # 发现/已报告: put on the list, not yet looked into
    RECTIFYING = "rectifying"  # 整改: the seller's organisation is putting it right
    UNDER_OBSERVATION = "under_observation"  # 观察中: rectified, watched for a relapse
    REVOKED = "revoked"  # 已撤销: off the list from its revocation date on


class AttentionGround(StrEnum):
    """Why a subject is on the list: the eight violation kinds, and the grounds on which a team
    or branch qualifies (DESIGN.md, the controls of the callback centre)."""

    EXAGGERATED_RETURNS = "exaggerated_returns"  # 夸大保险产品收益
    CONFUSED_CONCEPT = "confused_concept"  # 混淆保险产品概念
    MISSTATED_TERMS = "misstated_terms"  # 讲解与产品条款内容不符
    CONCEALED_TERMS = "concealed_terms"  # 隐瞒合同重要内容
    TAMPERED_DATA = "tampered_data"  # 篡改客户信息资料
    EVADED_CALLBACK = "evaded_callback"  # 规避或替代回访
    WRONG_TERM_SALE = "wrong_term_sale"  # 产品未按保险期间销售
    FALSE_PRODUCT_INFO = "false_product_info"  # 提供虚假产品信息
    CONCENTRATED = "concentrated"  # 违规行为集中 (team, branch)
    DOUBTFUL_CALLBACKS = "doubtful_callbacks"  # 回访真实性存疑频发
    GROUP_MISLEADING = "group_misleading"  # 团体误导
    MISHANDLED_CASES = "mishandled_cases"  # 问题件处理不当
    REPEAT = "repeat"  # 整改后三个月内再次违规
    KPI_BELOW_TARGET = "kpi_below_target"  # 指标连续三个月不达标
    KPI_SHARP_CHANGE = "kpi_sharp_change"  # 指标异常波动


# The eight kinds a salesperson is listed for (人身保险销售误导 practice); the rest are a team's
# or branch's grounds, though a team may be listed for one of the eight too.
VIOLATION_KINDS = tuple(AttentionGround)[:8]


class AttentionSeverity(StrEnum):
    """How serious the listing is; the measures follow from it."""

    MINOR = "minor"  # 一般
    SERIOUS = "serious"  # 较重
    GRAVE = "grave"  # 严重


class AttentionMeasure(StrEnum):
    """What the centre does about a listed subject's policies."""

    DEDICATED_AGENT = "dedicated_agent"  # 专人回访: a named agent, never the robot
    STRICT_CALLBACK = "strict_callback"  # 从严回访 (and stricter underwriting)
    MORE_QUESTIONS = "more_questions"  # 增加话术和调查
    RESTRICT_PRODUCTS = "restrict_products"  # 限制销售险种


# How people read them (the report, the console).
STATUS_LABELS = {
    AttentionStatus.REPORTED: "发现", AttentionStatus.RECTIFYING: "整改",
    AttentionStatus.UNDER_OBSERVATION: "观察", AttentionStatus.REVOKED: "撤销",
}  # fmt: skip
GROUND_LABELS = {
    AttentionGround.EXAGGERATED_RETURNS: "夸大保险产品收益",
    AttentionGround.CONFUSED_CONCEPT: "混淆保险产品概念",
    AttentionGround.MISSTATED_TERMS: "讲解与产品条款内容不符",
    AttentionGround.CONCEALED_TERMS: "隐瞒合同重要内容",
    AttentionGround.TAMPERED_DATA: "篡改客户信息资料",
    AttentionGround.EVADED_CALLBACK: "规避或替代回访",
    AttentionGround.WRONG_TERM_SALE: "产品未按保险期间销售",
    AttentionGround.FALSE_PRODUCT_INFO: "提供虚假产品信息",
    AttentionGround.CONCENTRATED: "违规行为集中",
    AttentionGround.DOUBTFUL_CALLBACKS: "回访真实性存疑频发",
    AttentionGround.GROUP_MISLEADING: "团体误导",
    AttentionGround.MISHANDLED_CASES: "问题件处理不当",
    AttentionGround.REPEAT: "整改后三个月内再次违规",
    AttentionGround.KPI_BELOW_TARGET: "指标连续三个月不达标",
    AttentionGround.KPI_SHARP_CHANGE: "指标异常波动",
}
SEVERITY_LABELS = {
    AttentionSeverity.MINOR: "一般", AttentionSeverity.SERIOUS: "较重",
    AttentionSeverity.GRAVE: "严重",
}  # fmt: skip
MEASURE_LABELS = {
    AttentionMeasure.DEDICATED_AGENT: "专人回访", AttentionMeasure.STRICT_CALLBACK: "从严回访",
    AttentionMeasure.MORE_QUESTIONS: "增加话术和调查",
    AttentionMeasure.RESTRICT_PRODUCTS: "限制销售险种",
}  # fmt: skip
