"""Promises the robot makes to customers (一个工作日内与您联系) as tasks with a due time: kept by
a person, or by the next call that reaches the customer; marked overdue once when missed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scripts_zh.promises import Promise, PromiseUnit
from storage.audit import SYSTEM, Actor, record_change
from storage.case_ledger import local_start
from storage.models import CallRecord
from storage.problem_cases import DeadlineRules, ReviewError
from storage.service_models import CustomerPromise, PromiseStatus

# 稍后 / 另行 say no time: the centre keeps such a promise within this many working days.
UNSTATED_WORKING_DAYS = 1
ENTITY = "customer_promise"


def promise_due(promise: Promise, made_at: datetime, rules: DeadlineRules) -> datetime:
    """When a promise made at made_at falls due: hours and days as said, working days to the
    end of the N-th working day after the day it was made."""
    if promise.unit is PromiseUnit.HOURS:
        return made_at + timedelta(hours=promise.amount)
    if promise.unit is PromiseUnit.DAYS:
        return made_at + timedelta(days=promise.amount)
    days = promise.amount if promise.unit is PromiseUnit.WORKING_DAYS else UNSTATED_WORKING_DAYS
    last = rules.calendar.add_working_days(rules.local_date(made_at), max(days, 1))
    return local_start(last + timedelta(days=1), rules)


def record_promises(session: Session, call: CallRecord, promises: list[Promise],
                    made_at: datetime, rules: DeadlineRules) -> list[CustomerPromise]:
    """One task per distinct promise said on the call."""
    stored: list[CustomerPromise] = []
    seen: set[str] = set()
    for promise in promises:
        sentence = promise.sentence[:200]
        if sentence in seen:
            continue
        seen.add(sentence)
        task = CustomerPromise(
            policy_id=call.policy_id, call_id=call.id, promise=sentence, made_at=made_at,
            due_at=promise_due(promise, made_at, rules), status=PromiseStatus.OPEN,
            kept_by="", note="",
        )  # fmt: skip
        session.add(task)
        stored.append(task)
    session.flush()
    return stored


def keep_promise(session: Session, task: CustomerPromise, note: str, actor: Actor,
                 now: datetime | None = None) -> CustomerPromise:  # fmt: skip
    """A person kept the promise (called the customer back, answered the question)."""
    text = note.strip()
    if not text:
        raise ReviewError("note_required", "say how the promise was kept")
    if task.status is PromiseStatus.KEPT:
        raise ReviewError("already_kept", f"promise {task.id} was kept already")
    return _keep(session, task, text, actor, now or datetime.now(UTC))


def keep_by_call(session: Session, call: CallRecord, now: datetime) -> int:
    """A later call that reached the customer keeps the contact promised on earlier calls."""
    if call.policy_id is None:
        return 0
    query = select(CustomerPromise).where(
        CustomerPromise.policy_id == call.policy_id, CustomerPromise.status == PromiseStatus.OPEN,
        CustomerPromise.call_id != call.id, CustomerPromise.made_at <= call.started_at)
    kept = 0
    for task in session.scalars(query):
        _keep(session, task, f"客户在通话 {call.id} 中已联系上", SYSTEM, now)
        kept += 1
    return kept


def sweep_promises(session: Session, now: datetime | None = None) -> list[int]:
    """Mark open promises past their due time as overdue, once; their ids."""
    now = now or datetime.now(UTC)
    query = select(CustomerPromise).where(
        CustomerPromise.status == PromiseStatus.OPEN, CustomerPromise.overdue_at.is_(None),
        CustomerPromise.due_at < now).order_by(CustomerPromise.id)  # fmt: skip
    marked = []
    for task in session.scalars(query):
        before = promise_fields(task)
        task.overdue_at = now
        record_change(session, SYSTEM, "promise.overdue", ENTITY, task.id, before,
                      promise_fields(task), at=now)  # fmt: skip
        marked.append(task.id)
    return marked


def promise_fields(task: CustomerPromise) -> dict[str, Any]:
    """The task as the audit trail keeps it."""
    return {name: getattr(task, name) for name in (
        "policy_id", "call_id", "promise", "made_at", "due_at", "status", "kept_at", "kept_by",
        "note", "overdue_at")}  # fmt: skip


def _keep(session: Session, task: CustomerPromise, note: str, actor: Actor,
          now: datetime) -> CustomerPromise:  # fmt: skip
    before = promise_fields(task)
    task.status, task.kept_at, task.kept_by, task.note = PromiseStatus.KEPT, now, actor.name, note
    session.flush()
    record_change(session, actor, "promise.keep", ENTITY, task.id, before, promise_fields(task),
                  at=now)  # fmt: skip
    return task
