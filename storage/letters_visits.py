"""Letters and visits (信函/上门回访) as a work queue: a policy the phone could not reach gets a
printed letter with a reply slip or a visit by a named person; the recorded result closes the
policy's callback (a success counts in the KPIs; problems open a problem case; a refusal or
no reply is a failed callback)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from storage.audit import Actor, record_change
from storage.campaign_models import AttemptOutcome, CampaignPolicy, CampaignState
from storage.models import CaseStatus, Policy, ProblemCase, User
from storage.problem_cases import ReviewError, case_fields
from storage.queue_models import (
    ContactMethod,
    LetterVisit,
    LetterVisitResult,
    LetterVisitStatus,
)

ENTITY = "letter_visit"
_FINAL_OUTCOME = {
    LetterVisitResult.CONFIRMED: AttemptOutcome.SUCCESS,
    LetterVisitResult.PROBLEMS: AttemptOutcome.PROBLEM_CASE,
}


def fill_queue(session: Session, now: datetime) -> int:
    """A letter task for every policy the campaign put on the letter-or-visit list without one."""
    missing = (
        select(CampaignPolicy)
        .where(CampaignPolicy.state == CampaignState.LETTER_OR_VISIT,
               ~exists().where(LetterVisit.policy_id == CampaignPolicy.policy_id))
        .order_by(CampaignPolicy.id)
    )  # fmt: skip
    made = 0
    for entry in session.scalars(missing):
        session.add(LetterVisit(
            policy_id=entry.policy_id, method=ContactMethod.LETTER, status=LetterVisitStatus.OPEN,
            reason=entry.closing_reason or "", created_at=entry.closed_at or now,
            result_note="", recorded_by=""))  # fmt: skip
        made += 1
    session.flush()
    return made


def queue(session: Session, *, open_only: bool = True) -> list[LetterVisit]:
    """The tasks, nearest 犹豫期 deadline first."""
    query = select(LetterVisit).join(Policy, Policy.id == LetterVisit.policy_id)
    if open_only:
        query = query.where(LetterVisit.status != LetterVisitStatus.CLOSED)
    return list(session.scalars(query.order_by(Policy.cooling_off_deadline, LetterVisit.id)))


def note_printed(session: Session, task: LetterVisit, actor: Actor, now: datetime) -> None:
    """The letter was printed (the first time is kept)."""
    if task.printed_at is None:
        _change(session, task, actor, now, "letter.print", printed_at=now)


def mark_sent(session: Session, task: LetterVisit, actor: Actor,
              now: datetime | None = None) -> LetterVisit:  # fmt: skip
    """The letter went out; its reply slip is awaited."""
    _open(task)
    now = now or datetime.now(UTC)
    return _change(session, task, actor, now, "letter.send", method=ContactMethod.LETTER,
                   status=LetterVisitStatus.SENT, sent_at=now)  # fmt: skip


def assign_visit(session: Session, task: LetterVisit, person: User, visit_on: date,
                 actor: Actor, now: datetime | None = None) -> LetterVisit:  # fmt: skip
    """Give the visit to a person on a day."""
    _open(task)
    if not person.active:
        raise ReviewError("bad_assignee", f"user {person.username!r} is not active")
    return _change(session, task, actor, now or datetime.now(UTC), "letter.assign",
                   method=ContactMethod.VISIT, status=LetterVisitStatus.ASSIGNED,
                   assignee_id=person.id, visit_on=visit_on)  # fmt: skip


def record_result(session: Session, task: LetterVisit, result: LetterVisitResult, note: str,
                  actor: Actor, now: datetime | None = None) -> LetterVisit:
    """Record what the reply slip or the visit found, closing the policy's callback."""
    _open(task)
    text = note.strip()
    if not text:
        raise ReviewError("note_required", "say what the reply slip or the visit showed")
    now = now or datetime.now(UTC)
    _change(session, task, actor, now, "letter.result", result=result, result_note=text,
            recorded_by=actor.name, status=LetterVisitStatus.CLOSED, closed_at=now)  # fmt: skip
    entry = session.scalar(select(CampaignPolicy).where(CampaignPolicy.policy_id == task.policy_id))
    if entry is not None and result in _FINAL_OUTCOME:
        entry.state, entry.final_outcome = CampaignState.DONE, _FINAL_OUTCOME[result]
    if result is LetterVisitResult.PROBLEMS:
        case = ProblemCase(policy_id=task.policy_id, kind="process",
                           reason=f"{task.method.value}_problem", status=CaseStatus.OPEN,
                           opened_at=now)  # fmt: skip
        session.add(case)
        session.flush()
        record_change(session, actor, "case.open", "problem_case", case.id, None,
                      case_fields(case), at=now)  # fmt: skip
    session.flush()
    return task


def task_fields(task: LetterVisit) -> dict[str, Any]:
    """The task as the audit trail keeps it."""
    return {name: getattr(task, name) for name in (
        "policy_id", "method", "status", "assignee_id", "visit_on", "printed_at", "sent_at",
        "result", "result_note", "recorded_by", "closed_at")}  # fmt: skip


def _open(task: LetterVisit) -> None:
    if task.status is LetterVisitStatus.CLOSED:
        raise ReviewError("closed", f"letter/visit {task.id} is closed already")


def _change(session: Session, task: LetterVisit, actor: Actor, now: datetime, action: str,
            **values: object) -> LetterVisit:  # fmt: skip
    before = task_fields(task)
    for name, value in values.items():
        setattr(task, name, value)
    session.flush()
    record_change(session, actor, action, ENTITY, task.id, before, task_fields(task), at=now)
    return task
