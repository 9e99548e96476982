"""Working a problem case (问题件): classify and assign to a handler who is not the seller,
a deadline in working days, reminders before it, an overdue mark after it, a resolution.

Every change is written to the audit trail in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.audit import SYSTEM, Actor, record_change
from storage.models import CaseStatus, Policy, ProblemCase, User, UserRole
from storage.review_models import CaseClass, CaseHandling
from storage.working_days import WorkingCalendar

# Who may handle a case: people who use the review console, never callback agents.
HANDLER_ROLES = frozenset({UserRole.REVIEWER, UserRole.SUPERVISOR, UserRole.ADMIN})


class ReviewError(ValueError):
    """A review action refused; `code` is stable for callers, the message says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class DeadlineRules:
    """The working-day calendar and the limits that turn into deadlines and reminders."""

    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)
    deadline_working_days: int = 15
    reminder_working_days: int = 3
    timezone: str = "Asia/Shanghai"

    def local_date(self, moment: datetime) -> date:
        """The calendar day a moment falls on where the case handlers work."""
        return moment.astimezone(ZoneInfo(self.timezone)).date()

    def deadline_for(self, opened_at: datetime) -> date:
        """The last working day to resolve a case opened at this moment."""
        return self.calendar.add_working_days(
            self.local_date(opened_at), self.deadline_working_days
        )


@dataclass(frozen=True)
class CaseClock:
    """Where a case stands against its deadline on one day."""

    working_days_left: int | None
    reminder_due: bool
    overdue: bool


def case_deadline(case: ProblemCase, handling: CaseHandling | None,
                  rules: DeadlineRules) -> date:  # fmt: skip
    """The last working day to resolve the case: from the day it opened, assigned or not."""
    return handling.deadline if handling is not None else rules.deadline_for(case.opened_at)


def case_clock(case: ProblemCase, handling: CaseHandling | None, rules: DeadlineRules,
               today: date) -> CaseClock:  # fmt: skip
    """The case's standing today, assigned or not; a closed case is never due or overdue."""
    if case.status is CaseStatus.CLOSED:
        return CaseClock(None, False, False)
    deadline = case_deadline(case, handling, rules)
    left = rules.calendar.working_days_until(today, deadline)
    # Overdue from the first day after the deadline, working or not (a Saturday after a
    # Friday deadline is past it though no working day has gone by).
    overdue = today > deadline
    return CaseClock(left, not overdue and left <= rules.reminder_working_days, overdue)


def opened_before_overdue(rules: DeadlineRules, today: date) -> datetime:
    """The moment before which a case must have opened to be past its deadline today.

    Deadlines grow with the opening day, so the cases overdue today are exactly those opened
    before the start of the first local day whose deadline is not yet past: a range a
    query can use, without working days in SQL."""
    zone = ZoneInfo(rules.timezone)
    day = today
    while rules.calendar.add_working_days(day - timedelta(days=1),
                                          rules.deadline_working_days) >= today:
        day -= timedelta(days=1)
    return datetime.combine(day, time(), zone)


def eligible_handlers(session: Session, salesperson: str | None) -> list[User]:
    """Active console users who may handle a case about this salesperson's sale, by name."""
    query = select(User).where(User.active.is_(True), User.role.in_(HANDLER_ROLES))
    users = session.scalars(query.order_by(User.username))
    return [u for u in users if salesperson is None or not _same_person(u.username, salesperson)]


def handling_of(session: Session, case: ProblemCase) -> CaseHandling | None:
    """The case's handling row, None while nobody has classified and assigned it."""
    return session.get(CaseHandling, case.id)


def assign_case(
    session: Session,
    case: ProblemCase,
    *,
    classification: CaseClass,
    handler: User,
    actor: Actor,
    rules: DeadlineRules,
    now: datetime | None = None,
) -> CaseHandling:
    """Classify the case and give it to a handler; the deadline runs from the case's opening."""
    now = now or datetime.now(UTC)
    if case.status is CaseStatus.CLOSED:
        raise ReviewError("case_closed", f"problem case {case.id} is closed already")
    _check_handler(session, case, handler)
    handling = handling_of(session, case)
    before = handling_fields(handling) if handling else None
    if handling is None:
        handling = CaseHandling(
            problem_case_id=case.id, deadline=rules.deadline_for(case.opened_at)
        )
        session.add(handling)
    handling.classification = classification
    handling.handler_id = handler.id
    handling.assigned_by = _actor_id(actor)
    handling.assigned_at = now
    session.flush()
    record_change(
        session, actor, "case.assign", "problem_case", case.id, before,
        handling_fields(handling), at=now,
    )  # fmt: skip
    return handling


def resolve_case(
    session: Session,
    case: ProblemCase,
    *,
    resolution: str,
    actor: Actor,
    may_resolve_others: bool,
    now: datetime | None = None,
) -> CaseHandling:
    """Record how the case was resolved and close it; only its handler, or a supervisor."""
    now = now or datetime.now(UTC)
    text = resolution.strip()
    if not text:
        raise ReviewError("resolution_required", "a resolution needs a description")
    handling = handling_of(session, case)
    if handling is None:
        raise ReviewError("not_assigned", f"problem case {case.id} has no handler yet")
    if case.status is CaseStatus.CLOSED:
        raise ReviewError("case_closed", f"problem case {case.id} is closed already")
    if handling.handler_id != actor.user_id and not may_resolve_others:
        raise ReviewError("not_handler", f"problem case {case.id} is another handler's")
    before = {**handling_fields(handling), "status": case.status.value}
    handling.resolution = text
    handling.resolved_by = _actor_id(actor)
    handling.resolved_at = now
    case.status = CaseStatus.CLOSED
    case.closed_at = now
    session.flush()
    after = {**handling_fields(handling), "status": case.status.value}
    record_change(session, actor, "case.resolve", "problem_case", case.id, before, after, at=now)
    return handling


@dataclass
class SweepResult:
    """Which cases a deadline sweep reminded and which it marked overdue."""

    reminded: list[int] = field(default_factory=list)
    overdue: list[int] = field(default_factory=list)


def sweep_deadlines(
    session: Session, rules: DeadlineRules, now: datetime | None = None
) -> SweepResult:
    """Mark reminders due and cases overdue, once each, as the system (run daily); a case
    with no handler yet is on the clock all the same."""
    now = now or datetime.now(UTC)
    today = rules.local_date(now)
    result = SweepResult()
    query = (
        select(ProblemCase, CaseHandling)
        .outerjoin(CaseHandling, CaseHandling.problem_case_id == ProblemCase.id)
        .where(ProblemCase.status == CaseStatus.OPEN)
        .order_by(ProblemCase.id)
    )
    for case, handling in session.execute(query):
        clock = case_clock(case, handling, rules, today)
        if clock.overdue and case.overdue_at is None:
            _mark(session, case, "overdue_at", "case.overdue", now)
            result.overdue.append(case.id)
        elif clock.reminder_due and case.reminded_at is None:
            _mark(session, case, "reminded_at", "case.remind", now)
            result.reminded.append(case.id)
    return result


def case_fields(case: ProblemCase) -> dict[str, Any]:
    """The problem case row as the audit trail keeps it."""
    return {
        "policy_id": case.policy_id, "call_id": case.call_id, "kind": case.kind,
        "reason": case.reason, "status": case.status, "opened_at": case.opened_at,
        "closed_at": case.closed_at, "reminded_at": case.reminded_at,
        "overdue_at": case.overdue_at,
    }  # fmt: skip


def handling_fields(handling: CaseHandling) -> dict[str, Any]:
    """The handling row as the audit trail keeps it."""
    return {
        "classification": handling.classification, "handler_id": handling.handler_id,
        "assigned_by": handling.assigned_by, "deadline": handling.deadline,
        "resolution": handling.resolution, "resolved_by": handling.resolved_by,
        "resolved_at": handling.resolved_at,
    }  # fmt: skip


def _mark(session: Session, case: ProblemCase, column: str, action: str,
          now: datetime) -> None:  # fmt: skip
    before = case_fields(case)
    setattr(case, column, now)
    session.flush()
    record_change(session, SYSTEM, action, "problem_case", case.id, before, case_fields(case),
                  at=now)


def _check_handler(session: Session, case: ProblemCase, handler: User) -> None:
    """A handler is an active console user and not the salesperson the case is about."""
    if not handler.active or handler.role not in HANDLER_ROLES:
        raise ReviewError(
            "bad_handler", f"user {handler.username!r} cannot handle cases (inactive or an agent)"
        )
    policy = session.get(Policy, case.policy_id)
    if policy is not None and _same_person(handler.username, policy.salesperson):
        raise ReviewError(
            "handler_is_seller",
            f"user {handler.username!r} sold policy {policy.policy_no}: "
            "a case must be handled by someone other than the seller",
        )


def _same_person(username: str, salesperson: str) -> bool:
    return username.strip().casefold() == salesperson.strip().casefold()


def _actor_id(actor: Actor) -> int:
    if actor.user_id is None:
        raise ReviewError("no_user", "only a signed-in user can assign or resolve a case")
    return actor.user_id
