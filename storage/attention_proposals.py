"""Proposals for the special-attention list from the evidence the system holds, for a person
to accept (into an entry) or dismiss: violations concentrated in a team or branch, doubtful
callbacks concentrated there, a salesperson's repeated violations, a repeat within three
months of a revocation, a KPI below target three months running — and, by hand, a figure
the KPI page marks 不达标 or sharply worse."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.analysis_models import CallFlag, FlagKind
from storage.attention import AttentionError, Listing, report_entry
from storage.attention_kinds import VIOLATION_KINDS, AttentionGround, AttentionSubject
from storage.attention_models import AttentionEntry, AttentionStatus
from storage.audit import SYSTEM, Actor, record_change
from storage.kpi_periods import Period, bucket_at, previous_start
from storage.kpis import Grouping, KpiRequest, KpiTargets, kpi_report
from storage.models import CallRecord, Policy
from storage.problem_cases import DeadlineRules
from storage.queue_models import AttentionProposal, ProposalStatus
from storage.review_models import CaseClass, Decision, FlagDisposition

ENTITY = "attention_proposal"
_ZONE = ZoneInfo("Asia/Shanghai")
# The misleading-sale rules' sub-categories, as the eight violation kinds name them.
_KIND_OF_SUBCATEGORY = {
    "夸大收益/保障": AttentionGround.EXAGGERATED_RETURNS,
    "保本保息/稳赚/承诺收益": AttentionGround.EXAGGERATED_RETURNS,
    "与存款/国债利率简单比较": AttentionGround.EXAGGERATED_RETURNS,
    "保险说成存款/理财/基金": AttentionGround.CONFUSED_CONCEPT,
    "分红不确定": AttentionGround.CONCEALED_TERMS, "等待期/观察期": AttentionGround.CONCEALED_TERMS,
    "责任免除": AttentionGround.CONCEALED_TERMS, "费用": AttentionGround.CONCEALED_TERMS,
    "退保损失": AttentionGround.CONCEALED_TERMS, "犹豫期权利": AttentionGround.CONCEALED_TERMS,
    "代签名": AttentionGround.TAMPERED_DATA, "篡改客户信息/电话": AttentionGround.TAMPERED_DATA,
    "替代回访": AttentionGround.EVADED_CALLBACK,
    "虚假停售": AttentionGround.FALSE_PRODUCT_INFO, "虚假赠送": AttentionGround.FALSE_PRODUCT_INFO,
    "退旧买新": AttentionGround.MISSTATED_TERMS,
}  # fmt: skip
_KIND_OF_FLAG = {
    FlagKind.VOICE_CUE: AttentionGround.EVADED_CALLBACK,
    FlagKind.DUPLICATE_VOICE: AttentionGround.EVADED_CALLBACK,
    FlagKind.PHONE_CUE: AttentionGround.TAMPERED_DATA,
}
_DOUBTFUL = (FlagKind.VOICE_CUE, FlagKind.DUPLICATE_VOICE)


@dataclass(frozen=True)
class ProposalRules:
    """When the evidence is enough to propose (HUIFANG_ATTENTION_* settings)."""

    window_days: int = 30  # violations counted over the last this many days
    team_violations: int = 3  # a team or branch with this many: concentrated
    seller_violations: int = 2  # a salesperson with this many: repeated
    repeat_days: int = 90  # a violation this soon after a revocation: a repeat
    kpi_months: int = 3  # a KPI below target this many months running


@dataclass(frozen=True)
class _Violation:
    """One confirmed flag: who sold the policy, and which kind of violation it was."""

    salesperson: str
    team: str
    branch: str
    kind: AttentionGround
    doubtful: bool


def propose(session: Session, rules: ProposalRules, deadlines: DeadlineRules,
            targets: KpiTargets, now: datetime | None = None) -> list[AttentionProposal]:
    """Every new proposal the evidence supports today (none twice, none for a listed subject)."""
    now = now or datetime.now(UTC)
    today = now.astimezone(_ZONE).date()
    found = _violations(session, today - timedelta(days=rules.window_days))
    made: list[AttentionProposal] = []
    for subject, counts in ((AttentionSubject.TEAM, Counter(v.team for v in found)),
                            (AttentionSubject.BRANCH, Counter(v.branch for v in found))):
        for name, count in sorted(counts.items()):
            if count >= rules.team_violations:
                made += _new(session, subject, name, AttentionGround.CONCENTRATED,
                             f"近 {rules.window_days} 天确认违规 {count} 件", now)
    doubtful = Counter(v.team for v in found if v.doubtful)
    for name, count in sorted(doubtful.items()):
        if count >= rules.team_violations:
            made += _new(session, AttentionSubject.TEAM, name, AttentionGround.DOUBTFUL_CALLBACKS,
                         f"近 {rules.window_days} 天回访真实性存疑 {count} 件", now)
    made += _sellers(session, found, rules, now)
    made += _repeats(session, rules, today, now)
    made += _kpis(session, rules, deadlines, targets, today, now)
    return made  # fmt: skip


def propose_by_hand(session: Session, subject: AttentionSubject, name: str,
                    ground: AttentionGround, evidence: str, actor: Actor,
                    now: datetime | None = None) -> AttentionProposal:  # fmt: skip
    """A proposal a person makes, e.g. from a KPI marked 不达标 on the KPI page."""
    if not evidence.strip() or not name.strip():
        raise AttentionError("empty_reason", "a proposal names its subject and its evidence")
    made = _new(session, subject, name.strip(), ground, evidence.strip(), now or datetime.now(UTC),
                actor)  # fmt: skip
    if not made:
        raise AttentionError("already_listed", f"{name} is listed or proposed for this already")
    return made[0]


def accept_proposal(session: Session, proposal: AttentionProposal, listing: Listing,
                    reason: str, *, by: str, now: datetime | None = None) -> AttentionEntry:
    """Report the proposed subject on the list (the proposal's ground, the person's severity)."""
    _pending(proposal)
    now = now or datetime.now(UTC)
    entry = report_entry(
        session, proposal.subject_kind, proposal.subject_name,
        f"{reason.strip()}（依据：{proposal.evidence}）", listing=listing, by=by,
        within_branch=proposal.within_branch, now=now,
    )  # fmt: skip
    _decide(session, proposal, ProposalStatus.ACCEPTED, reason, by, now, entry.id)
    return entry


def dismiss_proposal(session: Session, proposal: AttentionProposal, reason: str, *, by: str,
                     now: datetime | None = None) -> None:  # fmt: skip
    """Turn a proposal down, saying why."""
    _pending(proposal)
    if not reason.strip():
        raise AttentionError("empty_reason", "say why the proposal is dismissed")
    _decide(session, proposal, ProposalStatus.DISMISSED, reason, by, now or datetime.now(UTC), None)


def pending_proposals(session: Session) -> list[AttentionProposal]:
    """Proposals waiting for a person, oldest first."""
    query = select(AttentionProposal).where(AttentionProposal.status == ProposalStatus.PENDING)
    return list(session.scalars(query.order_by(AttentionProposal.id)))


# -- evidence -----------------------------------------------------------------------------


def violation_kind(flag: CallFlag) -> AttentionGround:
    """Which of the eight kinds a confirmed flag is."""
    return _KIND_OF_FLAG.get(flag.kind) or _KIND_OF_SUBCATEGORY.get(
        flag.subcategory, AttentionGround.MISSTATED_TERMS)  # fmt: skip


def _violations(session: Session, since: date) -> list[_Violation]:
    """Flags reviewers confirmed since a day, with their sellers."""
    start = datetime.combine(since, time(), _ZONE).astimezone(UTC)
    query = (
        select(CallFlag, FlagDisposition.classification, Policy.salesperson, Policy.team,
               Policy.branch)
        .join(FlagDisposition, FlagDisposition.flag_id == CallFlag.id)
        .join(CallRecord, CallRecord.id == CallFlag.call_id)
        .join(Policy, Policy.id == CallRecord.policy_id)
        .where(FlagDisposition.decision == Decision.CONFIRMED,
               FlagDisposition.decided_at >= start)
    )  # fmt: skip
    return [
        _Violation(seller, team, branch, violation_kind(flag),
                   flag.kind in _DOUBTFUL or classification is CaseClass.IDENTITY_DOUBT)
        for flag, classification, seller, team, branch in session.execute(query)
    ]


def _sellers(session: Session, found: list[_Violation], rules: ProposalRules,
             now: datetime) -> list[AttentionProposal]:  # fmt: skip
    by_seller: dict[tuple[str, str], Counter[AttentionGround]] = defaultdict(Counter)
    for violation in found:
        by_seller[(violation.salesperson, violation.branch)][violation.kind] += 1
    made: list[AttentionProposal] = []
    for (seller, branch), kinds in sorted(by_seller.items()):
        if sum(kinds.values()) >= rules.seller_violations:
            kind, count = kinds.most_common(1)[0]
            made += _new(session, AttentionSubject.SALESPERSON, seller, kind,
                         f"近 {rules.window_days} 天确认违规 {sum(kinds.values())} 件"
                         f"（{kind.value} {count} 件）", now, within_branch=branch)
    return made  # fmt: skip


def _repeats(session: Session, rules: ProposalRules, today: date,
             now: datetime) -> list[AttentionProposal]:  # fmt: skip
    """Subjects revoked within `repeat_days` with a violation confirmed since the revocation."""
    recent = session.scalars(select(AttentionEntry).where(
        AttentionEntry.status == AttentionStatus.REVOKED,
        AttentionEntry.revoked_on >= today - timedelta(days=rules.repeat_days)))  # fmt: skip
    made: list[AttentionProposal] = []
    for revoked in recent:
        assert revoked.revoked_on is not None
        since = [v for v in _violations(session, revoked.revoked_on) if _names(revoked, v)]
        if since:
            ground = (AttentionGround.REPEAT if revoked.subject_kind is not
                      AttentionSubject.SALESPERSON else since[0].kind)  # fmt: skip
            made += _new(session, revoked.subject_kind, revoked.subject_name, ground,
                         f"条目 {revoked.id} 于 {revoked.revoked_on} 撤销后三个月内再次违规 "
                         f"{len(since)} 件", now, within_branch=revoked.within_branch)
    return made  # fmt: skip


def _names(entry: AttentionEntry, violation: _Violation) -> bool:
    name = {AttentionSubject.SALESPERSON: violation.salesperson,
            AttentionSubject.TEAM: violation.team,
            AttentionSubject.BRANCH: violation.branch}[entry.subject_kind]  # fmt: skip
    return name == entry.subject_name and entry.within_branch in ("", violation.branch)


def _kpis(session: Session, rules: ProposalRules, deadlines: DeadlineRules,
          targets: KpiTargets, today: date, now: datetime) -> list[AttentionProposal]:
    """Teams and branches below a KPI target in each of the last `kpi_months` whole months."""
    if not targets:
        return []
    last = previous_start(today.replace(day=1), Period.MONTH)
    first = last
    for _ in range(rules.kpi_months - 1):
        first = previous_start(first, Period.MONTH)
    end = bucket_at(last, Period.MONTH).end
    made: list[AttentionProposal] = []
    for grouping, subject in ((Grouping.TEAM, AttentionSubject.TEAM),
                              (Grouping.BRANCH, AttentionSubject.BRANCH)):  # fmt: skip
        report = kpi_report(session, KpiRequest(Period.MONTH, grouping, first, end), deadlines,
                            targets=targets)  # fmt: skip
        below: dict[tuple[str, str], int] = Counter()
        for row in report.rows:
            for key, figure in row.figures.items():
                below[(row.group, key.value)] += figure.below_target
        for (group, kpi), months in sorted(below.items()):
            if months >= rules.kpi_months:
                made += _new(session, subject, group, AttentionGround.KPI_BELOW_TARGET,
                             f"{kpi} 自 {first:%Y-%m} 起连续 {months} 个月不达标", now)
    return made  # fmt: skip


# -- bookkeeping ---------------------------------------------------------------------------


def _new(session: Session, subject: AttentionSubject, name: str, ground: AttentionGround,
         evidence: str, now: datetime, actor: Actor = SYSTEM,
         within_branch: str = "") -> list[AttentionProposal]:  # fmt: skip
    """A new pending proposal, unless one is pending for it or the subject is listed."""
    if subject is AttentionSubject.SALESPERSON and ground not in VIOLATION_KINDS:
        return []
    pending = session.scalar(select(AttentionProposal.id).where(
        AttentionProposal.subject_kind == subject, AttentionProposal.subject_name == name,
        AttentionProposal.ground == ground,
        AttentionProposal.status == ProposalStatus.PENDING))  # fmt: skip
    listed = session.scalar(select(AttentionEntry.id).where(
        AttentionEntry.subject_kind == subject, AttentionEntry.subject_name == name,
        AttentionEntry.status != AttentionStatus.REVOKED))  # fmt: skip
    if pending is not None or listed is not None:
        return []
    proposal = AttentionProposal(
        subject_kind=subject, subject_name=name, within_branch=within_branch, ground=ground,
        evidence=evidence, proposed_at=now, status=ProposalStatus.PENDING, decided_by="",
        decision_note="",
    )  # fmt: skip
    session.add(proposal)
    session.flush()
    record_change(session, actor, "attention.propose", ENTITY, proposal.id, None,
                  _fields(proposal), at=now)  # fmt: skip
    return [proposal]


def _pending(proposal: AttentionProposal) -> None:
    if proposal.status is not ProposalStatus.PENDING:
        raise AttentionError("illegal_transition",
                             f"proposal {proposal.id} is {proposal.status.value} already")


def _decide(session: Session, proposal: AttentionProposal, status: ProposalStatus, note: str,
            by: str, now: datetime, entry_id: int | None) -> None:  # fmt: skip
    before = _fields(proposal)
    proposal.status, proposal.decided_by, proposal.decided_at = status, by, now
    proposal.decision_note, proposal.entry_id = note.strip(), entry_id
    session.flush()
    action = "attention.accept" if status is ProposalStatus.ACCEPTED else "attention.dismiss"
    record_change(session, Actor(None, by), action, ENTITY, proposal.id, before,
                  _fields(proposal), at=now)  # fmt: skip


def _fields(proposal: AttentionProposal) -> dict[str, object]:
    return {name: getattr(proposal, name) for name in (
        "subject_kind", "subject_name", "within_branch", "ground", "evidence", "status",
        "decided_by", "decision_note", "entry_id")}  # fmt: skip
