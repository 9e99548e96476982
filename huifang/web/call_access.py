"""Which calls a signed-in user may see: agents their own, other roles every call."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from huifang.web.roles import sees_only_own_calls
from huifang.web.sign_ins import SignedInUser
from storage.models import CallRecord
from storage.repository import Repository


def visible_calls(
    session: Session, user: SignedInUser, *, limit: int, offset: int
) -> list[CallRecord]:
    """The calls the user may see, newest first."""
    query = select(CallRecord).options(
        selectinload(CallRecord.policy), selectinload(CallRecord.agent)
    )
    if sees_only_own_calls(user.role):
        query = query.where(CallRecord.agent_id == user.user_id)
    query = query.order_by(CallRecord.started_at.desc(), CallRecord.id.desc())
    return list(session.scalars(query.limit(limit).offset(offset)))


def visible_call(session: Session, user: SignedInUser, call_id: int) -> CallRecord | None:
    """The call if it exists and the user may see it; None either way, so an agent cannot
    tell another agent's call from a missing one."""
    call = Repository(session).call(call_id)
    if call is None:
        return None
    if sees_only_own_calls(user.role) and call.agent_id != user.user_id:
        return None
    return call
