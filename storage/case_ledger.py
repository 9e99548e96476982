"""The problem-case ledger (问题件台账) and the daily summary for sales management, as rows
the web layer masks and exports."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, or_, select, true
from sqlalchemy.orm import Session, aliased

from storage.analysis_models import CallFlag
from storage.models import AnswerEvidence, CallRecord, CaseStatus, Policy, ProblemCase, User
from storage.problem_cases import (
    CaseClock,
    DeadlineRules,
    case_clock,
    case_deadline,
    opened_before_overdue,
)
from storage.review_models import CaseHandling, Decision, FlagDisposition


@dataclass(frozen=True)
class LedgerFilter:
    """Which cases the ledger lists; None leaves a field unfiltered."""

    status: CaseStatus | None = None
    overdue_only: bool = False
    date_from: date | None = None  # the day the case was opened (local), inclusive
    date_to: date | None = None
    branch: str | None = None
    team: str | None = None
    salesperson: str | None = None
    case_id: int | None = None
    handler_id: int | None = None


@dataclass(frozen=True)
class LedgerRow:
    """One problem case with its policy, handling, where it stands, and what was heard."""

    case: ProblemCase
    policy: Policy
    handling: CaseHandling | None
    handler: str | None
    resolver: str | None
    clock: CaseClock
    evidence: str
    deadline: date  # from the day the case opened, assigned or not


def ledger_rows(
    session: Session, wanted: LedgerFilter, rules: DeadlineRules, today: date,
    *, limit: int = 10_000, offset: int = 0,
) -> list[LedgerRow]:  # fmt: skip
    """The ledger's rows, newest case first."""
    handler, resolver = aliased(User), aliased(User)
    query = (
        select(ProblemCase, Policy, CaseHandling, handler.username, resolver.username)
        .join(Policy, Policy.id == ProblemCase.policy_id)
        .outerjoin(CaseHandling, CaseHandling.problem_case_id == ProblemCase.id)
        .outerjoin(handler, handler.id == CaseHandling.handler_id)
        .outerjoin(resolver, resolver.id == CaseHandling.resolved_by)
        .where(_ledger_condition(wanted, rules, today))
        .order_by(ProblemCase.opened_at.desc(), ProblemCase.id.desc())
        .limit(limit)
        .offset(offset)
    )
    found = list(session.execute(query))
    evidence = _evidence(session, [case.id for case, *_ in found])
    return [
        LedgerRow(case, policy, handling, handler_name, resolver_name,
                  case_clock(case, handling, rules, today), evidence.get(case.id, ""),
                  case_deadline(case, handling, rules))
        for case, policy, handling, handler_name, resolver_name in found
    ]  # fmt: skip


def _ledger_condition(
    wanted: LedgerFilter, rules: DeadlineRules, today: date
) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = [true()]
    if wanted.case_id is not None:
        conditions.append(ProblemCase.id == wanted.case_id)
    if wanted.handler_id is not None:
        conditions.append(CaseHandling.handler_id == wanted.handler_id)
    if wanted.status is not None:
        conditions.append(ProblemCase.status == wanted.status)
    if wanted.overdue_only:
        # Assigned or not: a case's deadline runs from the day it opened.
        conditions += [ProblemCase.status == CaseStatus.OPEN,
                       ProblemCase.opened_at < opened_before_overdue(rules, today)]
    if wanted.date_from is not None:
        conditions.append(ProblemCase.opened_at >= local_start(wanted.date_from, rules))
    if wanted.date_to is not None:
        conditions.append(
            ProblemCase.opened_at < local_start(wanted.date_to + timedelta(days=1), rules)
        )
    for column, value in [(Policy.branch, wanted.branch), (Policy.team, wanted.team),
                          (Policy.salesperson, wanted.salesperson)]:  # fmt: skip
        if value and value.strip():
            conditions.append(column == value.strip())
    return and_(*conditions)


def _evidence(session: Session, case_ids: list[int]) -> dict[int, str]:
    """What was heard behind each case: the confirmed flag's words, else the item's answers."""
    found: dict[int, str] = {}
    flags = (
        select(FlagDisposition.problem_case_id, CallFlag.utterance)
        .join(CallFlag, CallFlag.id == FlagDisposition.flag_id)
        .where(FlagDisposition.problem_case_id.in_(case_ids))
    )
    for case_id, utterance in session.execute(flags):
        if case_id is not None:
            found[case_id] = utterance
    answers = (
        select(ProblemCase.id, AnswerEvidence.text)
        .join(AnswerEvidence, AnswerEvidence.item_answer_id == ProblemCase.item_answer_id)
        .where(ProblemCase.id.in_(case_ids))
        .order_by(ProblemCase.id, AnswerEvidence.seq)
    )
    heard: dict[int, list[str]] = {}
    for case_id, text in session.execute(answers):
        heard.setdefault(case_id, []).append(text)
    for case_id, texts in heard.items():
        found.setdefault(case_id, "；".join(texts))
    return found


def local_start(day: date, rules: DeadlineRules) -> datetime:
    """The UTC moment a local day begins."""
    return datetime.combine(day, time(), ZoneInfo(rules.timezone)).astimezone(UTC)


SalesChannel = tuple[str, str, str]  # branch, team, salesperson
Counting = Callable[[SalesChannel, str], None]


@dataclass
class SummaryRow:
    """One salesperson's day: flags raised and decided, cases opened, closed, open, overdue."""

    branch: str
    team: str
    salesperson: str
    counts: Counter[str] = field(default_factory=Counter)


SUMMARY_COUNTS = (
    "flags_raised", "flags_confirmed", "flags_dismissed", "cases_opened", "cases_closed",
    "cases_open", "cases_overdue",
)  # fmt: skip


def daily_summary(session: Session, day: date, rules: DeadlineRules) -> list[SummaryRow]:
    """Per branch, team and salesperson, what happened on `day` and what stood open at its end."""
    begin, end = local_start(day, rules), local_start(day + timedelta(days=1), rules)
    rows: dict[SalesChannel, SummaryRow] = {}

    def count(channel: SalesChannel, what: str) -> None:
        rows.setdefault(channel, SummaryRow(*channel)).counts[what] += 1

    channel = (Policy.branch, Policy.team, Policy.salesperson)
    raised = (
        select(*channel).select_from(CallFlag).join(CallRecord, CallRecord.id == CallFlag.call_id)
        .join(Policy, Policy.id == CallRecord.policy_id)
        .where(CallFlag.raised_at >= begin, CallFlag.raised_at < end)
    )  # fmt: skip
    for found in session.execute(raised):
        count(found, "flags_raised")
    decided = (
        select(FlagDisposition.decision, *channel)
        .join(CallRecord, CallRecord.id == FlagDisposition.call_id)
        .join(Policy, Policy.id == CallRecord.policy_id)
        .where(FlagDisposition.decided_at >= begin, FlagDisposition.decided_at < end)
    )
    for decision, branch, team, salesperson in session.execute(decided):
        confirmed = decision is Decision.CONFIRMED
        count((branch, team, salesperson), "flags_confirmed" if confirmed else "flags_dismissed")
    _count_cases(session, begin, end, day, rules, count)
    return [rows[key] for key in sorted(rows)]


def _count_cases(session: Session, begin: datetime, end: datetime, day: date,
                 rules: DeadlineRules, count: Counting) -> None:  # fmt: skip
    """Cases opened and closed in the day, open at its end, and overdue among those."""
    touched = or_(
        and_(ProblemCase.opened_at >= begin, ProblemCase.opened_at < end),
        and_(ProblemCase.closed_at >= begin, ProblemCase.closed_at < end),
        and_(ProblemCase.opened_at < end,
             or_(ProblemCase.closed_at.is_(None), ProblemCase.closed_at >= end)),
    )  # fmt: skip
    query = (
        select(ProblemCase, CaseHandling, Policy.branch, Policy.team, Policy.salesperson)
        .join(Policy, Policy.id == ProblemCase.policy_id)
        .outerjoin(CaseHandling, CaseHandling.problem_case_id == ProblemCase.id)
        .where(touched)
    )
    for case, handling, branch, team, salesperson in session.execute(query):
        channel = (branch, team, salesperson)
        if begin <= case.opened_at < end:
            count(channel, "cases_opened")
        if case.closed_at is not None and begin <= case.closed_at < end:
            count(channel, "cases_closed")
        if case.opened_at < end and (case.closed_at is None or case.closed_at >= end):
            count(channel, "cases_open")
            if case_deadline(case, handling, rules) < day:  # assigned or not
                count(channel, "cases_overdue")
