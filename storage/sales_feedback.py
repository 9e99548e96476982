"""Feedback to the sales side (销售反馈): each day's problem cases and complaints by seller, sent
the same day; problem cases analysed by risk category; and the failed callbacks the commission
and quality systems charge to their seller (佣金暂扣, 品质扣分)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from storage.campaign_models import CampaignPolicy
from storage.case_ledger import local_start
from storage.models import CallRecord, Policy, ProblemCase
from storage.policy_term import in_callback_scope
from storage.problem_cases import DeadlineRules
from storage.queue_models import LetterVisit, LetterVisitResult
from storage.repository import REACHED
from storage.review_models import CaseHandling
from storage.service_models import Complaint

# Problem-case kinds (scripts_zh ProblemKind) as the sales side reads the risk.
RISK_CATEGORIES = {
    "deception": "欺骗", "concealment": "隐瞒", "inducement": "诱导", "process": "流程违规",
    "identity": "身份存疑",
}  # fmt: skip
_LETTER_SUCCESS = (LetterVisitResult.CONFIRMED, LetterVisitResult.PROBLEMS)


@dataclass(frozen=True)
class SellerCase:
    """One problem case or complaint of the day, with the seller it is charged to."""

    branch: str
    team: str
    salesperson: str
    policy_no: str
    kind: str  # 问题件 or 投诉
    category: str
    detail: str
    opened_on: date


@dataclass(frozen=True)
class RiskRow:
    """A group's problem cases by risk category over a period."""

    group: str
    counts: dict[str, int]
    total: int


@dataclass(frozen=True)
class FailedCallback:
    """A policy whose 犹豫期 ended without a successful callback, charged to its seller."""

    policy_no: str
    branch: str
    team: str
    salesperson: str
    receipt_date: date
    deadline: date
    reason: str  # why the campaign gave up, "" if it did not
    last_outcome: str | None  # the last call's dialogue or SIP outcome code; None: never called


def daily_cases(session: Session, day: date, rules: DeadlineRules) -> list[SellerCase]:
    """The problem cases opened and complaints received on `day`, by branch, team, seller."""
    begin, end = local_start(day, rules), local_start(day + timedelta(days=1), rules)
    found: list[SellerCase] = []
    cases = (select(ProblemCase, Policy, CaseHandling.classification)
             .join(Policy, Policy.id == ProblemCase.policy_id)
             .outerjoin(CaseHandling, CaseHandling.problem_case_id == ProblemCase.id)
             .where(ProblemCase.opened_at >= begin, ProblemCase.opened_at < end))  # fmt: skip
    for case, policy, classification in session.execute(cases):
        category = classification.value if classification else RISK_CATEGORIES.get(
            case.kind, case.kind)  # fmt: skip
        found.append(SellerCase(policy.branch, policy.team, policy.salesperson, policy.policy_no,
                                "问题件", category, case.reason, day))  # fmt: skip
    complaints = (select(Complaint, Policy).join(Policy, Policy.id == Complaint.policy_id)
                  .where(Complaint.received_at >= begin, Complaint.received_at < end))
    for complaint, policy in session.execute(complaints):
        category = complaint.category.value if complaint.category else "待分类"
        found.append(SellerCase(policy.branch, policy.team, policy.salesperson, policy.policy_no,
                                "投诉", category, complaint.summary, day))  # fmt: skip
    return sorted(found, key=lambda c: (c.branch, c.team, c.salesperson, c.policy_no))


def risk_analysis(session: Session, first: date, last: date, rules: DeadlineRules,
                  by: str = "branch") -> list[RiskRow]:  # fmt: skip
    """Problem cases opened first..last per group (branch, team, salesperson, product_name)
    and risk category, the groups with most cases first."""
    column = getattr(Policy, by)
    query = (select(ProblemCase.kind, column)
             .join(Policy, Policy.id == ProblemCase.policy_id)
             .where(ProblemCase.opened_at >= local_start(first, rules),
                    ProblemCase.opened_at < local_start(last + timedelta(days=1), rules)))
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for kind, group in session.execute(query):
        counts[str(group)][RISK_CATEGORIES.get(kind, kind)] += 1
    rows = [RiskRow(group, dict(c), sum(c.values())) for group, c in counts.items()]
    return sorted(rows, key=lambda row: (-row.total, row.group))


def failed_callbacks(session: Session, first: date, last: date,
                     today: date) -> list[FailedCallback]:  # fmt: skip
    """应回访 policies received first..last whose 犹豫期 ended before today unreached."""
    reached = or_(
        exists().where(CallRecord.policy_id == Policy.id, CallRecord.dialogue_outcome.in_(REACHED)),
        exists().where(LetterVisit.policy_id == Policy.id, LetterVisit.result.in_(_LETTER_SUCCESS)),
    )  # fmt: skip
    query = (select(Policy, CampaignPolicy.closing_reason)
             .outerjoin(CampaignPolicy, CampaignPolicy.policy_id == Policy.id)
             .where(Policy.receipt_date >= first, Policy.receipt_date <= last,
                    Policy.cooling_off_deadline < today, in_callback_scope(), ~reached)
             .order_by(Policy.branch, Policy.team, Policy.salesperson, Policy.policy_no))
    return [
        FailedCallback(policy.policy_no, policy.branch, policy.team, policy.salesperson,
                       policy.receipt_date, policy.cooling_off_deadline,
                       (closing or "").splitlines()[0] if closing else "",
                       _last_outcome(session, policy))
        for policy, closing in session.execute(query)
    ]  # fmt: skip


def _last_outcome(session: Session, policy: Policy) -> str | None:
    """The last call's outcome code (what the dialogue reached, else how the call ended)."""
    last = session.scalar(select(CallRecord).where(CallRecord.policy_id == policy.id)
                          .order_by(CallRecord.started_at.desc()).limit(1))  # fmt: skip
    if last is None:
        return None
    return last.dialogue_outcome or last.outcome
