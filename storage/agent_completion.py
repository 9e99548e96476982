"""Callbacks an agent completed on a live call (坐席完成的回访), told apart from unfinished ones.

A robot callback records its end as a dialogue outcome; a call the agent talks through does
not: the agent marks each script item on the live screen instead (agent_actions). Such a
call is as complete as a robot's all_confirmed / completed_with_problems when every item of
the policy's script has an outcome — confirmed or problem, from the robot's verdicts before a
转人工 or the agent's latest mark — and no identity item is a problem (a robot call ends as
identity_failed there).
"""

from __future__ import annotations

from collections.abc import Collection
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from scripts_zh.script_loader import script_for
from scripts_zh.script_schema import CallbackScript, ProblemKind, step_applies
from storage.agent_actions import item_states
from storage.attention import on_attention_list
from storage.live_models import AgentAction, AgentActionKind
from storage.models import CallRecord, Policy, Verdict
from storage.policy_view import policy_record

_SETTLED = frozenset({Verdict.CONFIRMED.value, Verdict.PROBLEM.value})


def agent_completed_calls(session: Session, call_ids: Collection[int], zone: ZoneInfo
                          ) -> set[int]:
    """Of these calls, the ones an agent handled and took through every script item."""
    if not call_ids:
        return set()
    marked = exists().where(AgentAction.call_id == CallRecord.id,
                            AgentAction.kind == AgentActionKind.MARK)
    query = select(CallRecord).where(CallRecord.id.in_(call_ids),
                                     CallRecord.agent_id.is_not(None), marked)
    scripts: dict[tuple[str, bool], CallbackScript] = {}
    completed = set()
    for call in session.scalars(query):
        if call.policy is not None and _all_items_settled(session, call, call.policy, zone,
                                                          scripts):
            completed.add(call.id)
    return completed


def _all_items_settled(session: Session, call: CallRecord, policy: Policy, zone: ZoneInfo,
                       scripts: dict[tuple[str, bool], CallbackScript]) -> bool:
    # The script the screen showed: the 特别关注 variant if the seller was listed that day.
    listed = on_attention_list(session, policy, call.started_at.astimezone(zone).date())
    record = policy_record(policy, special_attention=listed)
    key = (record.family.value, listed)
    if key not in scripts:  # composing a script reads its YAML files
        scripts[key] = script_for(record)
    states = item_states(session, call)
    for step in scripts[key].steps:
        if not step_applies(step, record):
            continue
        state = states.get(step.id)
        if state not in _SETTLED:
            return False
        if step.problem_kind is ProblemKind.IDENTITY and state == Verdict.PROBLEM.value:
            return False
    return True
