"""Setting and clearing legal holds (法律保全), each written to the audit trail with who and why."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from storage.audit import Actor, record_change
from storage.models import CallRecord, Policy
from storage.retention_models import LegalHold


class LegalHoldError(ValueError):
    """A hold that cannot be set or cleared as asked; one line says why."""


def _target(session: Session, policy_no: str | None, call_id: int | None) -> tuple[str, int]:
    """("policy" | "call", its id); LegalHoldError unless exactly one existing target is named."""
    if (policy_no is None) == (call_id is None):
        raise LegalHoldError("name either a policy or a call")
    if policy_no is not None:
        wanted = policy_no.strip().upper()
        policy_id = session.scalar(select(Policy.id).where(Policy.policy_no == wanted))
        if policy_id is None:
            raise LegalHoldError(f"no policy {wanted}")
        return "policy", policy_id
    assert call_id is not None
    if session.get(CallRecord, call_id) is None:
        raise LegalHoldError(f"no call {call_id}")
    return "call", call_id


def _reason(reason: str) -> str:
    text = " ".join(reason.split())
    if not text:
        raise LegalHoldError("a hold needs a reason (the case, the request, who asked)")
    return text[:2000]


def _active(session: Session, kind: str, target_id: int) -> LegalHold | None:
    column = LegalHold.policy_id if kind == "policy" else LegalHold.call_id
    query = select(LegalHold).where(column == target_id, LegalHold.cleared_at.is_(None))
    return session.scalar(query)


def set_hold(session: Session, actor: Actor, reason: str, *, policy_no: str | None = None,
             call_id: int | None = None, now: datetime | None = None) -> LegalHold:
    """Hold a policy (every call of it) or one call; LegalHoldError if it is held already."""
    kind, target_id = _target(session, policy_no, call_id)
    if _active(session, kind, target_id) is not None:
        raise LegalHoldError(f"{kind} {policy_no or call_id} is already on hold")
    hold = LegalHold(
        policy_id=target_id if kind == "policy" else None,
        call_id=target_id if kind == "call" else None, reason=_reason(reason),
        set_at=now or datetime.now(UTC), set_by=actor.name, set_by_id=actor.user_id,
    )  # fmt: skip
    session.add(hold)
    session.flush()
    record_change(session, actor, "legal_hold.set", kind, target_id, None,
                  {"hold_id": hold.id, "reason": hold.reason}, at=hold.set_at)
    return hold


def clear_hold(session: Session, actor: Actor, reason: str, *, policy_no: str | None = None,
               call_id: int | None = None, now: datetime | None = None) -> LegalHold:
    """Clear the active hold of a policy or call; LegalHoldError if there is none."""
    kind, target_id = _target(session, policy_no, call_id)
    hold = _active(session, kind, target_id)
    if hold is None:
        raise LegalHoldError(f"{kind} {policy_no or call_id} is not on hold")
    hold.cleared_at, hold.clear_reason = now or datetime.now(UTC), _reason(reason)
    hold.cleared_by, hold.cleared_by_id = actor.name, actor.user_id
    session.flush()
    record_change(session, actor, "legal_hold.clear", kind, target_id,
                  {"hold_id": hold.id, "reason": hold.reason},
                  {"clear_reason": hold.clear_reason}, at=hold.cleared_at)
    return hold


def active_holds(session: Session) -> list[LegalHold]:
    """Holds in force, oldest first."""
    query = select(LegalHold).where(LegalHold.cleared_at.is_(None)).order_by(LegalHold.id)
    return list(session.scalars(query))


def held_call_ids(session: Session, call_ids: list[int]) -> set[int]:
    """Which of these calls are held, by a hold on the call or on its policy."""
    held = select(LegalHold.call_id, LegalHold.policy_id).where(LegalHold.cleared_at.is_(None))
    rows = session.execute(held).all()
    held_calls = {row.call_id for row in rows if row.call_id is not None}
    held_policies = {row.policy_id for row in rows if row.policy_id is not None}
    if not call_ids or not held_policies:
        return held_calls & set(call_ids)
    query = select(CallRecord.id).where(
        CallRecord.id.in_(call_ids),
        or_(CallRecord.id.in_(held_calls), CallRecord.policy_id.in_(held_policies)),
    )
    return set(session.scalars(query))
