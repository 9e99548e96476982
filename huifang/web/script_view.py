"""A call's callback script as the agent screen lists it: each item with its state now."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy.orm import Session

from huifang.calls.policy_lookup import callback_policy
from scripts_zh.prompts import render_prompt
from scripts_zh.script_loader import script_for
from scripts_zh.script_schema import CallbackScript, step_applies
from storage.agent_actions import item_states
from storage.models import CallRecord
from zhtext.personal_numbers import mask_personal_numbers


class ScriptItemOut(BaseModel):
    """One step of the script: what to ask, which of the seven items, its state so far."""

    step_id: str
    item: int | None
    topic: str
    prompt: str
    state: str | None  # asked / confirmed / problem, None before it comes up


class CallScriptOut(BaseModel):
    """The script the call follows (the policy's family, stricter when 特别关注)."""

    script_id: str
    version: str
    steps: list[ScriptItemOut]


def call_script(session: Session, call: CallRecord, *, masked: bool) -> CallScriptOut | None:
    """The call's script with item states; None for a call without a policy."""
    if call.policy is None:
        return None
    record = callback_policy(session, call.policy)
    script = script_for(record)
    states = item_states(session, call)
    text = mask_personal_numbers if masked else str
    steps = [
        ScriptItemOut(step_id=step.id, item=step.item, topic=step.topic,
                      prompt=text(render_prompt(step.prompt, record)),
                      state=states.get(step.id))
        for step in script.steps if step_applies(step, record)
    ]  # fmt: skip
    return CallScriptOut(script_id=script.script_id, version=script.version, steps=steps)


def problem_kind_of(script: CallbackScript, step_id: str) -> str | None:
    """The problem kind a gap on this step suggests; None for a step not in the script."""
    for step in script.steps:
        if step.id == step_id:
            return step.problem_kind.value
    return None
