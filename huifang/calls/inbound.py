"""One inbound call (a customer calling the callback line, `huifang serve`): their policy's
script through the pipeline, the named agent for a policy a special-attention listing gave to
one (专人回访: never the robot), or a polite prompt for a number we hold no new policy for;
stored either way."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import re
import threading
import urllib.parse
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from huifang.calls.options import CallbackOptions
from huifang.calls.outbound import MEDIA_WAIT_S, warm_prompts, with_findings
from huifang.calls.outcome import CallbackOutcome, outcome_json, outcome_of
from huifang.calls.pipeline import CallPipeline
from huifang.calls.policy_lookup import DedicatedAgent, StoredPolicy, policy_for_caller
from huifang.calls.record import finish_call_record, start_call_record
from huifang.calls.run import CallRun
from huifang.calls.script_session import ScriptSession
from huifang.prompt_audio.cache import PromptCache
from ivr.admission import refusal_as_call_end
from ivr.call import Call, CallEndedError
from ivr.events import CallEnded, CallRefused
from ivr.outcome import CallOutcome
from storage.database import Database
from storage.masking import mask_phone
from storage.models import CallDirection

ANSWER_WAIT_S = 10.0  # from our 200 OK to the caller's ACK
# What was done with the call: its policy's script, its named agent (专人回访), the
# unknown-caller prompt, 486 (every line taken), or refused before it became a call (source
# limits, allow-list, unusable offer).
Handling = Literal["script", "dedicated_agent", "unknown_caller", "busy", "refused"]
# What a caller whose policy a named agent calls back hears: before the transfer, or instead.
DEDICATED_TRANSFER_PROMPT = "您好，您的保单回访由专属回访专员为您办理，正在为您转接，请稍候。"
DEDICATED_LATER_PROMPT = "您好，您的保单回访将由专属回访专员与您联系，请保持电话畅通，再见。"
_NUMBER = re.compile(r"\d{7,}")


@dataclass(frozen=True)
class InboundCall:
    """A finished inbound call: its stored record, the caller, and what happened."""

    call_id: int
    caller: str  # the caller's SIP URI as the INVITE gave it
    policy_no: str | None  # None: no policy holds the caller's number
    ended: CallEnded
    handling: Handling
    callback: CallbackOutcome | None  # the script's outcome when it ran
    dedicated_agent: str | None = None  # the named agent's login (专人回访)


async def take_inbound_call(call: Call, database: Database, pipeline: CallPipeline,
                            prompts: PromptCache, options: CallbackOptions, unknown_prompt: str,
                            today: date | None = None,
                            recordings_dir: Path | None = None) -> InboundCall:
    """Look the caller up, store the call at once, answer, run the script (or the prompt)."""
    policy = await asyncio.to_thread(policy_for_caller, database, call.remote_uri,
                                     today or date.today())
    agent = policy.dedicated_agent if policy else None
    started = await asyncio.to_thread(start_call_record, database,
                                      policy.policy_id if policy else None,
                                      CallDirection.INBOUND, call.remote_uri, recordings_dir,
                                      agent.user_id if agent else None)
    outcome = None
    handling: Handling = "script"
    async with pipeline.call(started.call_id, policy.record if policy else None,
                             policy.holder if policy else None) as run:
        if started.recording is not None:  # stored from the start: a crash leaves it linked
            await call.record_to(started.recording)
        if policy is None:
            handling = "unknown_caller"
            run.ended = await _greet_and_pass(call, prompts, options, unknown_prompt,
                                              options.transfer_uri)
        elif agent is not None:
            handling = "dedicated_agent"
            run.ended = await _pass_to_agent(call, agent, prompts, options)
        else:
            outcome = await _run_script(call, policy, run, prompts, options)
            run.ended = outcome.call
    ended = run.ended
    assert ended is not None
    return InboundCall(started.call_id, call.remote_uri,
                       policy.record.policy_no if policy else None, ended, handling,
                       with_findings(outcome, run) if outcome is not None else None,
                       agent.username if agent else None)


async def store_refusal(refusal: CallRefused, database: Database) -> InboundCall:
    """Store an INVITE the SIP layer refused (lines busy, source limits, pjsua's own 486)."""
    ended = refusal_as_call_end(refusal)
    caller = _uri_of(refusal.caller)
    policy = await asyncio.to_thread(policy_for_caller, database, caller, date.today())
    started = await asyncio.to_thread(start_call_record, database,
                                      policy.policy_id if policy else None,
                                      CallDirection.INBOUND, caller)
    await asyncio.to_thread(finish_call_record, database, started.call_id, ended)
    handling: Handling = "busy" if ended.outcome is CallOutcome.BUSY else "refused"
    return InboundCall(started.call_id, caller, policy.record.policy_no if policy else None,
                       ended, handling, None)


def _uri_of(header_value: str) -> str:
    """The URI of a From header value ('"Name" <sip:x@y>;tag=1' -> 'sip:x@y')."""
    if "<" in header_value and ">" in header_value:
        return header_value.split("<", 1)[1].split(">", 1)[0]
    return header_value.split(";", 1)[0].strip()


def inbound_json(result: InboundCall) -> dict[str, Any]:
    """The call as one JSON-ready object; the caller's number masked (the database has it)."""
    caller = mask_caller(result.caller)
    data: dict[str, Any] = {"call_id": result.call_id, "direction": "inbound",
                            "handling": result.handling, "caller": caller}
    if result.callback is not None:
        return {**data, **outcome_json(result.callback), "sip_uri": caller}
    if result.dedicated_agent is not None:
        data["dedicated_agent"] = result.dedicated_agent
    return {**data, "policy_no": result.policy_no, "completed": False,
            "call": dataclasses.asdict(result.ended)}


def mask_caller(uri: str) -> str:
    """A caller URI with any phone number in it masked (138****1234)."""
    return _NUMBER.sub(lambda found: mask_phone(found.group()), uri)


async def _answer(call: Call, options: CallbackOptions) -> bool:
    """Answer and wait for the ACK and the first audio; False when the caller left first."""
    try:
        await call.answer(200)
        if not await call.wait_answered(ANSWER_WAIT_S):
            return False
    except (CallEndedError, TimeoutError):
        return False
    with contextlib.suppress(TimeoutError):  # no audio yet: taps start when it comes
        await call.wait_media(MEDIA_WAIT_S)
    return True


async def _run_script(call: Call, policy: StoredPolicy, run: CallRun, prompts: PromptCache,
                      options: CallbackOptions) -> CallbackOutcome:
    """The callback script for the caller's policy, as an outbound callback would run it."""
    dialogue = options.new_dialogue(policy.record)
    stop_warming = threading.Event()
    asyncio.get_running_loop().run_in_executor(None, warm_prompts, dialogue, prompts,
                                               stop_warming)
    try:
        if not await _answer(call, options):
            await call.hangup()
            ended = await call.wait_ended(options.hangup_wait_s)
            return outcome_of(dialogue, call.remote_uri, ended, [ended], None)
        return await ScriptSession(call, dialogue, run, prompts, options).run()
    finally:
        stop_warming.set()


def dedicated_agent_uri(template: str, agent: DedicatedAgent) -> str:
    """The named agent's SIP URI from a template like sip:{agent}@pbx ('' when unset)."""
    return template.format(agent=urllib.parse.quote(agent.username, safe="")) if template else ""


async def _pass_to_agent(call: Call, agent: DedicatedAgent, prompts: PromptCache,
                         options: CallbackOptions) -> CallEnded:
    """专人回访: the robot asks nothing; transfer to the named agent, or say they will call."""
    uri = dedicated_agent_uri(options.dedicated_agent_uri, agent)
    text = DEDICATED_TRANSFER_PROMPT if uri else DEDICATED_LATER_PROMPT
    return await _greet_and_pass(call, prompts, options, text, uri)


async def _greet_and_pass(call: Call, prompts: PromptCache, options: CallbackOptions,
                          text: str, transfer_uri: str) -> CallEnded:
    """Play a prompt, then transfer to a person (when a URI is given) or hang up."""
    wav = await asyncio.to_thread(prompts.wav_for, text)
    if await _answer(call, options):
        with contextlib.suppress(CallEndedError, TimeoutError):
            playing = await call.play(wav.path)
            await playing.wait(wav.seconds + options.prompt_slack_s)
    with contextlib.suppress(CallEndedError):
        if transfer_uri and not call.ended:
            await call.transfer(transfer_uri)
        else:
            await call.hangup()
    try:
        return await call.wait_ended(options.hangup_wait_s)
    except TimeoutError:  # a transfer nobody took: end it ourselves
        await call.hangup()
        return await call.wait_ended(options.hangup_wait_s)
