"""The complaint workflow (投诉处理): its own clocks and stages, apart from problem cases.

Clocks from the service practice: acknowledged within 24 hours and a response or solution
within 48 (calendar hours: a complaint does not wait for the holiday to end); handled within
7 working days of receipt; the written result to the customer within 2 working days of the
outcome. Stages 受理 → 分类 → 调查 → 处理 → 反馈 → 复核 → 归档, one step at a time, each kept
with who, when and what was done. Every change is written to the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from storage.audit import SYSTEM, Actor, record_change
from storage.case_ledger import local_start
from storage.models import Policy, User
from storage.problem_cases import HANDLER_ROLES, DeadlineRules, ReviewError
from storage.service_models import (
    Complaint,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintKind,
    ComplaintStage,
    ComplaintStep,
)

ACKNOWLEDGE_HOURS = 24
RESPOND_HOURS = 48
HANDLE_WORKING_DAYS = 7
FEEDBACK_WORKING_DAYS = 2
# Reminders go out this long before a clock runs out.
REMIND_HOURS = 4
REMIND_WORKING_DAYS = 1
STAGES = tuple(ComplaintStage)
ENTITY = "complaint"


class ClockName(StrEnum):
    """The four clocks of a complaint."""

    ACKNOWLEDGE = "acknowledge"  # 24 小时内受理确认
    RESPOND = "respond"  # 48 小时内答复或提出解决方案
    HANDLE = "handle"  # 7 个工作日内处理完毕
    FEEDBACK = "feedback"  # 处理后 2 个工作日内书面告知结果


class ClockState(StrEnum):
    """Where one clock stands."""

    RUNNING = "running"
    DUE_SOON = "due_soon"  # the reminder is due
    OVERDUE = "overdue"  # past due, not done: escalated
    MET = "met"
    MISSED = "missed"  # done, but late
    NOT_STARTED = "not_started"  # the feedback clock before the complaint is handled


@dataclass(frozen=True)
class Clock:
    """One clock of one complaint: its due moment, when it was met, and its state now."""

    name: ClockName
    due: datetime | None
    done_at: datetime | None
    state: ClockState


def open_complaint(
    session: Session, *, summary: str, kind: ComplaintKind, channel: ComplaintChannel,
    received_at: datetime, rules: DeadlineRules, actor: Actor = SYSTEM,
    policy_id: int | None = None, call_id: int | None = None,
) -> Complaint:  # fmt: skip
    """Receive (受理) a complaint; its clocks start at received_at."""
    text = summary.strip()
    if not text:
        raise ReviewError("summary_required", "a complaint needs what the customer said")
    day = rules.local_date(received_at)
    complaint = Complaint(
        policy_id=policy_id, call_id=call_id, channel=channel, kind=kind, summary=text,
        stage=ComplaintStage.RECEIVED, received_at=received_at,
        acknowledge_due=received_at + timedelta(hours=ACKNOWLEDGE_HOURS),
        respond_due=received_at + timedelta(hours=RESPOND_HOURS),
        handle_due=rules.calendar.add_working_days(day, HANDLE_WORKING_DAYS),
        outcome="", reminded="", escalated="", updated_at=received_at,
    )  # fmt: skip
    complaint.steps.append(ComplaintStep(stage=ComplaintStage.RECEIVED, note=text,
                                         by=actor.name, at=received_at))  # fmt: skip
    session.add(complaint)
    session.flush()
    record_change(session, actor, "complaint.receive", ENTITY, complaint.id, None,
                  complaint_fields(complaint), at=received_at)  # fmt: skip
    return complaint


def acknowledge(session: Session, complaint: Complaint, note: str, actor: Actor,
                now: datetime | None = None) -> Complaint:  # fmt: skip
    """Confirm to the customer that the complaint is taken up (the 24-hour clock)."""
    return _note_done(session, complaint, "acknowledged_at", "complaint.acknowledge", note,
                      actor, now)  # fmt: skip


def respond(session: Session, complaint: Complaint, note: str, actor: Actor,
            now: datetime | None = None) -> Complaint:  # fmt: skip
    """Record the response or solution offered to the customer (the 48-hour clock)."""
    if complaint.acknowledged_at is None:
        acknowledge(session, complaint, note, actor, now)
    return _note_done(session, complaint, "responded_at", "complaint.respond", note, actor, now)


def advance(
    session: Session, complaint: Complaint, to: ComplaintStage, note: str, actor: Actor,
    rules: DeadlineRules, *, category: ComplaintCategory | None = None,
    handler: User | None = None, now: datetime | None = None,
) -> Complaint:  # fmt: skip
    """Move the complaint to the next stage; 分类 needs a category and a handler."""
    now = now or datetime.now(UTC)
    text = _required(note)
    expected = _next_stage(complaint)
    if to is not expected:
        raise ReviewError("stage_order", f"complaint {complaint.id} is at {complaint.stage.value}:"
                          f" the next stage is {expected.value if expected else 'none'}")
    before = complaint_fields(complaint)
    if to is ComplaintStage.CLASSIFIED:
        _classify(session, complaint, category, handler)
        complaint.acknowledged_at = complaint.acknowledged_at or now
    if to is ComplaintStage.HANDLED:
        complaint.handled_at, complaint.outcome = now, text
        complaint.feedback_due = rules.calendar.add_working_days(
            rules.local_date(now), FEEDBACK_WORKING_DAYS)
        complaint.responded_at = complaint.responded_at or now
    if to is ComplaintStage.FED_BACK:
        complaint.fed_back_at = now
    if to is ComplaintStage.REVIEWED and actor.user_id == complaint.handler_id:
        raise ReviewError("reviewer_is_handler", "复核 is done by someone other than the handler")
    if to is ComplaintStage.ARCHIVED:
        complaint.archived_at = now
    complaint.stage = to
    complaint.steps.append(ComplaintStep(stage=to, note=text, by=actor.name, at=now))
    complaint.updated_at = now
    session.flush()
    record_change(session, actor, f"complaint.{to.name.lower()}", ENTITY, complaint.id, before,
                  complaint_fields(complaint), at=now)  # fmt: skip
    return complaint


def clocks(complaint: Complaint, rules: DeadlineRules, now: datetime) -> list[Clock]:
    """The complaint's four clocks as they stand at `now`."""
    handle_due = _day_end(complaint.handle_due, rules)
    feedback_due = _day_end(complaint.feedback_due, rules) if complaint.feedback_due else None
    return [
        _clock(ClockName.ACKNOWLEDGE, complaint.acknowledge_due, complaint.acknowledged_at,
               now, timedelta(hours=REMIND_HOURS)),
        _clock(ClockName.RESPOND, complaint.respond_due, complaint.responded_at, now,
               timedelta(hours=REMIND_HOURS)),
        _day_clock(ClockName.HANDLE, handle_due, complaint.handled_at, now, rules),
        _day_clock(ClockName.FEEDBACK, feedback_due, complaint.fed_back_at, now, rules),
    ]  # fmt: skip


@dataclass
class ComplaintSweep:
    """What one sweep marked: (complaint id, clock) reminded and escalated."""

    reminded: list[tuple[int, ClockName]]
    escalated: list[tuple[int, ClockName]]


def sweep_complaints(session: Session, rules: DeadlineRules,
                     now: datetime | None = None) -> ComplaintSweep:  # fmt: skip
    """Remind the handler before a clock runs out and escalate after it, once per clock."""
    now = now or datetime.now(UTC)
    result = ComplaintSweep([], [])
    for complaint in open_complaints(session):
        for clock in clocks(complaint, rules, now):
            if clock.state is ClockState.OVERDUE and clock.name not in _marks(complaint.escalated):
                _mark(session, complaint, "escalated", clock.name, now)
                result.escalated.append((complaint.id, clock.name))
            elif clock.state is ClockState.DUE_SOON and clock.name not in _marks(
                    complaint.reminded):  # fmt: skip
                _mark(session, complaint, "reminded", clock.name, now)
                result.reminded.append((complaint.id, clock.name))
    return result


def open_complaints(session: Session) -> list[Complaint]:
    """Complaints not yet archived, oldest first, steps loaded."""
    query = (select(Complaint).where(Complaint.stage != ComplaintStage.ARCHIVED)
             .options(selectinload(Complaint.steps)).order_by(Complaint.received_at))  # fmt: skip
    return list(session.scalars(query))


def complaint_fields(complaint: Complaint) -> dict[str, Any]:
    """The complaint as the audit trail keeps it."""
    return {name: getattr(complaint, name) for name in (
        "policy_id", "call_id", "channel", "kind", "category", "stage", "handler_id",
        "received_at", "acknowledged_at", "responded_at", "handled_at", "fed_back_at",
        "archived_at", "outcome", "reminded", "escalated")}  # fmt: skip


# -- helpers ------------------------------------------------------------------------------


def _next_stage(complaint: Complaint) -> ComplaintStage | None:
    index = STAGES.index(complaint.stage)
    return STAGES[index + 1] if index + 1 < len(STAGES) else None


def _classify(session: Session, complaint: Complaint, category: ComplaintCategory | None,
              handler: User | None) -> None:  # fmt: skip
    if category is None or handler is None:
        raise ReviewError("classification_required", "分类 needs a category and a handler")
    if not handler.active or handler.role not in HANDLER_ROLES:
        raise ReviewError("bad_handler", f"user {handler.username!r} cannot handle complaints")
    policy = session.get(Policy, complaint.policy_id) if complaint.policy_id else None
    if policy is not None and handler.username.strip() == policy.salesperson.strip():
        raise ReviewError("handler_is_seller", "a complaint is not handled by the seller")
    complaint.category, complaint.handler_id = category, handler.id


def _note_done(session: Session, complaint: Complaint, column: str, action: str, note: str,
               actor: Actor, now: datetime | None) -> Complaint:  # fmt: skip
    now = now or datetime.now(UTC)
    text = _required(note)
    if getattr(complaint, column) is not None:
        return complaint
    before = complaint_fields(complaint)
    setattr(complaint, column, now)
    complaint.steps.append(ComplaintStep(stage=complaint.stage, note=text, by=actor.name, at=now))
    complaint.updated_at = now
    session.flush()
    record_change(session, actor, action, ENTITY, complaint.id, before,
                  complaint_fields(complaint), at=now)  # fmt: skip
    return complaint


def _required(note: str) -> str:
    text = note.strip()
    if not text:
        raise ReviewError("note_required", "say what was done")
    return text


def _day_end(day: date, rules: DeadlineRules) -> datetime:
    """The UTC moment the local day ends: a working-day clock runs to the end of its day."""
    return local_start(day + timedelta(days=1), rules)


def _clock(name: ClockName, due: datetime, done: datetime | None, now: datetime,
           warning: timedelta) -> Clock:  # fmt: skip
    if done is not None:
        return Clock(name, due, done, ClockState.MET if done <= due else ClockState.MISSED)
    if now > due:
        return Clock(name, due, None, ClockState.OVERDUE)
    return Clock(name, due, None, ClockState.DUE_SOON if now >= due - warning else
                 ClockState.RUNNING)  # fmt: skip


def _day_clock(name: ClockName, due: datetime | None, done: datetime | None, now: datetime,
               rules: DeadlineRules) -> Clock:  # fmt: skip
    if due is None:
        return Clock(name, None, None, ClockState.NOT_STARTED)
    clock = _clock(name, due, done, now, timedelta(0))
    if clock.state is ClockState.RUNNING:
        due_day = rules.local_date(due) - timedelta(days=1)
        if rules.calendar.working_days_until(rules.local_date(now), due_day) <= (
                REMIND_WORKING_DAYS):  # fmt: skip
            return Clock(name, due, None, ClockState.DUE_SOON)
    return clock


def _marks(text: str) -> set[str]:
    return {mark for mark in text.split(",") if mark}


def _mark(session: Session, complaint: Complaint, column: str, clock: ClockName,
          now: datetime) -> None:  # fmt: skip
    before = complaint_fields(complaint)
    setattr(complaint, column, ",".join(sorted(_marks(getattr(complaint, column)) | {clock})))
    session.flush()
    action = "complaint.escalate" if column == "escalated" else "complaint.remind"
    record_change(session, SYSTEM, action, ENTITY, complaint.id, before,
                  {**complaint_fields(complaint), "clock": clock.value}, at=now)  # fmt: skip
