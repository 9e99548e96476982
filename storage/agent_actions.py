"""An agent's marks, notes and problem cases on a call, stored as they are made.

Each function works on the caller's session (Database.session commits); every action is
also written to the audit trail.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.audit import Actor, record_change
from storage.complaints import open_complaint
from storage.live_models import AgentAction, AgentActionKind
from storage.models import CallRecord, CaseStatus, ProblemCase, Verdict
from storage.policy_service import request_surrender
from storage.problem_cases import DeadlineRules
from storage.service_models import Complaint, ComplaintChannel, ComplaintKind, ServiceRequest

AGENT_RAISED = "agent_raised"  # ProblemCase.reason of a case an agent opened on the screen


class NoPolicyError(ValueError):
    """A problem case needs the call's policy; this call has none."""


class HeardRequest(StrEnum):
    """What an agent registers from what the customer said on the call."""

    COMPLAINT = "complaint"  # 投诉
    STRONG_COMPLAINT = "strong_complaint"  # 强烈抱怨
    SURRENDER = "surrender"  # 退保: to policy service (保全)


def mark_item(
    session: Session, call: CallRecord, actor: Actor, step_id: str, state: str
) -> AgentAction:
    """Store the agent's mark of one script item (asked / confirmed / problem)."""
    return _add(session, call, actor, AgentActionKind.MARK, step_id=step_id, state=state,
                text="")


def add_note(session: Session, call: CallRecord, actor: Actor, text: str) -> AgentAction:
    """Store a note the agent wrote on the call."""
    return _add(session, call, actor, AgentActionKind.NOTE, text=text)


def raise_problem_case(
    session: Session, call: CallRecord, actor: Actor, step_id: str | None, note: str,
    kind: str,
) -> tuple[ProblemCase, AgentAction]:
    """Open a 问题件 on the call's policy for the agent, and store that they did."""
    if call.policy_id is None:
        raise NoPolicyError(f"call {call.id} has no policy to open a problem case on")
    now = datetime.now(UTC)
    case = ProblemCase(policy_id=call.policy_id, call_id=call.id, kind=kind,
                       reason=AGENT_RAISED, status=CaseStatus.OPEN, opened_at=now)
    session.add(case)
    session.flush()
    record_change(session, actor, "open", "problem_case", case.id, None,
                  {"call_id": call.id, "kind": kind, "reason": AGENT_RAISED,
                   "step_id": step_id, "note": note}, at=now)
    action = _add(session, call, actor, AgentActionKind.PROBLEM_CASE, step_id=step_id,
                  text=note, problem_case_id=case.id)
    return case, action


def register_request(
    session: Session, call: CallRecord, actor: Actor, kind: HeardRequest, text: str,
    rules: DeadlineRules,
) -> tuple[Complaint | ServiceRequest, AgentAction]:  # fmt: skip
    """Open the complaint (with its clocks) or the policy-service request (with its deadline) the
    agent heard on the call, on the call's policy, and store that they did."""
    if call.policy is None:
        raise NoPolicyError(f"call {call.id} has no policy to register a request on")
    now = datetime.now(UTC)
    made: Complaint | ServiceRequest
    if kind is HeardRequest.SURRENDER:
        made = request_surrender(session, call.policy, text, now, rules, call_id=call.id,
                                 actor=actor)  # fmt: skip
        action_kind = AgentActionKind.SURRENDER
    else:
        formal = kind is HeardRequest.COMPLAINT
        made = open_complaint(
            session, summary=text, channel=ComplaintChannel.CALLBACK, received_at=now,
            kind=ComplaintKind.COMPLAINT if formal else ComplaintKind.STRONG, rules=rules,
            actor=actor, policy_id=call.policy_id, call_id=call.id,
        )  # fmt: skip
        action_kind = AgentActionKind.COMPLAINT
    return made, _add(session, call, actor, action_kind, text=text.strip())


def call_actions(session: Session, call_id: int) -> list[AgentAction]:
    """Every action on the call, oldest first."""
    query = select(AgentAction).where(AgentAction.call_id == call_id)
    return list(session.scalars(query.order_by(AgentAction.id)))


def item_states(session: Session, call: CallRecord) -> dict[str, str]:
    """Each script item's state now: the dialogue's verdicts, overridden by later marks."""
    states = {answer.step_id: answer.verdict.value for answer in call.answers
              if answer.verdict in (Verdict.CONFIRMED, Verdict.PROBLEM)}
    for action in call_actions(session, call.id):
        if action.kind is AgentActionKind.MARK and action.step_id and action.state:
            states[action.step_id] = action.state
    return states


def _add(session: Session, call: CallRecord, actor: Actor, kind: AgentActionKind,
         **fields: object) -> AgentAction:
    assert actor.user_id is not None, "agent actions are made by a signed-in user"
    action = AgentAction(call_id=call.id, user_id=actor.user_id, kind=kind,
                         done_at=datetime.now(UTC), **fields)
    session.add(action)
    session.flush()
    record_change(session, actor, kind.value, "agent_action", action.id, None,
                  {"call_id": call.id, "step_id": action.step_id, "state": action.state,
                   "text": action.text}, at=action.done_at)
    return action
