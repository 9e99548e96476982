"""The desk's two kinds of call, each through the pipeline: an agent's bridged callback (ring
the agent's softphone, dial the policyholder, bridge, listen to both), and a robot callback
whose 转人工 bridges the customer to a free agent on the same call."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from pathlib import Path

from huifang.calls.agent_pool import AgentPool
from huifang.calls.events import CallStage, CallStatus
from huifang.calls.options import CallbackOptions
from huifang.calls.pipeline import CallPipeline
from huifang.calls.policy_lookup import StoredPolicy
from huifang.calls.record import assign_agent
from huifang.calls.run import CallRun
from huifang.calls.script_session import ScriptSession
from huifang.prompt_audio.cache import PromptCache
from ivr.call import Call
from ivr.events import CallEnded, Leg
from ivr.phone import Phone
from storage.database import Database

MEDIA_WAIT_S = 5.0
HANGUP_WAIT_S = 10.0


@dataclass
class DeskLine:
    """What the desk's calls share: the phone, the pipeline, the database, the free agents."""

    phone: Phone
    pipeline: CallPipeline
    database: Database
    agents: AgentPool
    max_call_s: float


async def run_bridged(line: DeskLine, call_id: int, policy: StoredPolicy, agent_uri: str,
                      customer_uri: str, *, record_to: Path | None = None) -> None:
    """Ring the agent, dial the customer, bridge them; listen to both until either hangs up.
    The customer's call (both voices, once bridged) is recorded to `record_to`, the path
    stored with the call's record at its start (None: where the phone records by default)."""
    calls: list[Call] = []
    async with line.pipeline.call(call_id, policy.record, policy.holder, identity=True) as run:
        try:
            run.show(CallStatus(CallStage.DIALLING_AGENT, agent_uri))
            agent = await _dial(line.phone, agent_uri, calls)
            if agent is None:
                run.ended = await calls[-1].wait_ended(HANGUP_WAIT_S)
                return
            run.show(CallStatus(CallStage.DIALLING_CUSTOMER, customer_uri))
            customer = await _dial(line.phone, customer_uri, calls, record_to)
            if customer is None:
                run.ended = await calls[-1].wait_ended(HANGUP_WAIT_S)
                return
            run.listen(customer, Leg.CUSTOMER)
            run.listen(agent, Leg.AGENT)
            await line.phone.bridge(customer, agent)
            run.show(CallStatus(CallStage.BRIDGED))
            run.ended = await _until_either_ends(customer, agent, line.max_call_s)
        finally:
            await _hang_up(calls)


async def run_robot(line: DeskLine, call_id: int, policy: StoredPolicy, uri: str,
                    prompts: PromptCache, options: CallbackOptions, *,
                    record_to: Path | None = None) -> None:
    """The script on the customer's call (recorded to `record_to`, as run_bridged); 转人工
    rings the longest-waiting free agent."""
    calls: list[Call] = []
    dialogue = options.new_dialogue(policy.record)
    async with line.pipeline.call(call_id, policy.record, policy.holder) as run:
        try:
            run.show(CallStatus(CallStage.DIALLING_CUSTOMER, uri))
            customer = await _dial(line.phone, uri, calls, record_to)
            if customer is None:
                run.ended = await calls[-1].wait_ended(HANGUP_WAIT_S)
                return
            run.show(CallStatus(CallStage.ROBOT))

            async def hand_over() -> bool:
                return await _hand_over(line, run, customer, calls)

            session = ScriptSession(customer, dialogue, run, prompts, options,
                                    hand_over=hand_over)
            run.ended = (await session.run()).call
        finally:
            await _hang_up(calls)


async def _hand_over(line: DeskLine, run: CallRun, customer: Call, calls: list[Call]) -> bool:
    """Bridge the customer to the longest-waiting free agent; False when none answers."""
    assert run.call_id is not None
    agent = line.agents.take()
    if agent is None:
        run.show(CallStatus(CallStage.NO_FREE_AGENT))
        return False
    await asyncio.to_thread(assign_agent, line.database, run.call_id, agent.user_id)
    run.show(CallStatus(CallStage.DIALLING_AGENT, agent.username))
    agent_call = await _dial(line.phone, agent.softphone_uri, calls)
    if agent_call is None or customer.ended:
        run.show(CallStatus(CallStage.NO_FREE_AGENT, agent.username))
        return False
    run.listen(agent_call, Leg.AGENT)
    await line.phone.bridge(customer, agent_call)
    hang_ups: list[asyncio.Future[None]] = []

    def agent_hung_up() -> None:  # the customer is not left alone on the line
        hang_ups.append(asyncio.ensure_future(customer.hangup()))

    agent_call.on_end(agent_hung_up)
    run.show(CallStatus(CallStage.BRIDGED, agent.username))
    return True


async def _dial(phone: Phone, uri: str, calls: list[Call],
                record_to: Path | None = None) -> Call | None:
    """Place a call and wait for its answer and audio; None when it was not answered."""
    call = await phone.place_call(uri, record_to=record_to)
    calls.append(call)
    if not await call.wait_answered(phone.config.ring_timeout_s + MEDIA_WAIT_S):
        return None
    await call.wait_media(MEDIA_WAIT_S)
    return call


async def _until_either_ends(customer: Call, agent: Call, limit_s: float) -> CallEnded:
    """The customer's call end, once either side has hung up (the other is hung up too)."""
    ends = {asyncio.ensure_future(c.wait_ended(limit_s)) for c in (customer, agent)}
    try:
        await asyncio.wait(ends, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for end in ends:
            end.cancel()
    await _hang_up([customer, agent])
    return await customer.wait_ended(HANGUP_WAIT_S)


async def _hang_up(calls: list[Call]) -> None:
    for call in calls:
        with contextlib.suppress(Exception):
            await call.hangup()
    for call in calls:
        with contextlib.suppress(Exception):
            await call.wait_ended(HANGUP_WAIT_S)
