"""专人回访: the policies of a seller listed with that measure are called back by the named
agent, never by the robot. An assignment is made when such a policy comes in or the entry is
listed; the campaign's dialler leaves assigned policies alone (storage.campaigns)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session

from storage.attention_kinds import AttentionMeasure
from storage.attention_match import SalesChannel, matching_entries
from storage.attention_models import AttentionEntry
from storage.attention_violations import sold_by
from storage.models import Policy, User
from storage.queue_models import AssignmentStatus, CallbackAssignment


def assign_open_policies(session: Session, entry: AttentionEntry, today: date,
                         now: datetime) -> int:  # fmt: skip
    """Give the entry's agent every policy of the subject still in its 犹豫期; how many."""
    if entry.dedicated_agent_id is None:
        return 0
    query = select(Policy).where(sold_by(entry), Policy.cooling_off_deadline >= today,
                                 Policy.sign_date >= entry.effective_from)  # fmt: skip
    return sum(_assign(session, policy, entry, now) for policy in session.scalars(query))


def route_policies(session: Session, policies: Sequence[Policy], now: datetime) -> int:
    """Give each new policy whose seller is listed for 专人回访 today to the named agent."""
    today = now.astimezone().date()
    assigned = 0
    for policy in policies:
        if policy.cooling_off_deadline < today:
            continue
        for entry in matching_entries(session, SalesChannel.of(policy), today):
            if entry.dedicated_agent_id is not None and AttentionMeasure.DEDICATED_AGENT.value in (
                    entry.measures.split(",")):  # fmt: skip
                assigned += _assign(session, policy, entry, now)
                break
    return assigned


def assigned_to_agent() -> ColumnElement[bool]:
    """The SQL condition: the policy was given to a dedicated agent (open or done): never the
    robot's to call, whichever kind of call it would be."""
    return exists().where(CallbackAssignment.policy_id == Policy.id)


def dedicated_agent(session: Session, policy_id: int) -> User | None:
    """The named agent a policy was given to (专人回访), None when it is the robot's to call."""
    return session.scalar(select(User).join(CallbackAssignment,
                                            CallbackAssignment.agent_id == User.id)
                          .where(CallbackAssignment.policy_id == policy_id))  # fmt: skip


def agent_assignments(session: Session, agent_id: int) -> list[CallbackAssignment]:
    """An agent's open assignments, nearest 犹豫期 deadline first."""
    query = (select(CallbackAssignment).join(Policy, Policy.id == CallbackAssignment.policy_id)
             .where(CallbackAssignment.agent_id == agent_id,
                    CallbackAssignment.status == AssignmentStatus.OPEN)
             .order_by(Policy.cooling_off_deadline, Policy.policy_no))  # fmt: skip
    return list(session.scalars(query))


def finish_assignment(assignment: CallbackAssignment, call_id: int | None,
                      now: datetime | None = None) -> None:  # fmt: skip
    """The agent called the customer back."""
    assignment.status = AssignmentStatus.DONE
    assignment.done_at = now or datetime.now(UTC)
    assignment.call_id = call_id


def _assign(session: Session, policy: Policy, entry: AttentionEntry, now: datetime) -> int:
    """One assignment per policy: the first listing that asks for it wins."""
    if entry.dedicated_agent_id is None:
        return 0
    taken = session.scalar(select(CallbackAssignment.id).where(
        CallbackAssignment.policy_id == policy.id))  # fmt: skip
    if taken is not None:
        return 0
    session.add(CallbackAssignment(policy_id=policy.id, agent_id=entry.dedicated_agent_id,
                                   entry_id=entry.id, status=AssignmentStatus.OPEN,
                                   assigned_at=now))  # fmt: skip
    session.flush()
    return 1
