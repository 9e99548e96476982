"""Outbound robot callbacks (预回访: `huifang call`, campaign attempts): dial, wait for the
answer, run the script through the pipeline, report; stored as it happens when the policy is."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from agent_assist.voice_cues import PolicyholderRecord
from huifang.calls.options import CallbackOptions
from huifang.calls.outcome import CallbackOutcome, outcome_of
from huifang.calls.pipeline import CallPipeline
from huifang.calls.policy_lookup import holder_of_record, robot_policy
from huifang.calls.record import start_call_record
from huifang.calls.run import CallRun
from huifang.calls.script_session import ScriptSession
from huifang.prompt_audio.cache import PromptCache
from huifang.prompt_audio.script_texts import script_templates
from huifang.prompt_audio.tts import TtsError
from ivr.call import Call
from ivr.phone import Phone
from scripts_zh.dialogue import CallbackDialogue
from scripts_zh.policy import PolicyRecord
from storage.database import Database
from storage.models import CallDirection

log = logging.getLogger(__name__)
MEDIA_WAIT_S = 5.0


@dataclass(frozen=True)
class StoredCallback:
    """A finished callback and the id of its stored CallRecord."""

    call_id: int
    outcome: CallbackOutcome


async def call_policyholder(phone: Phone, uri: str, policy: PolicyRecord,
                            pipeline: CallPipeline, prompts: PromptCache,
                            options: CallbackOptions, *, record_to: Path | None = None,
                            call_id: int | None = None,
                            holder: PolicyholderRecord | None = None) -> CallbackOutcome:
    """One automated callback to `uri` for `policy`, from INVITE to the last BYE.

    Recorded to `record_to`, or where the phone's recordings go by default; stored as call
    `call_id` when one was opened (None: a trial, stored nowhere)."""
    dialogue = options.new_dialogue(policy)
    holder = holder or holder_of_record(policy)
    stop_warming = threading.Event()
    asyncio.get_running_loop().run_in_executor(None, warm_prompts, dialogue, prompts,
                                               stop_warming)
    try:
        async with pipeline.call(call_id, policy, holder) as run:
            call = await phone.place_call(uri, record_to=record_to)
            outcome = await _converse(call, phone, uri, dialogue, run, prompts, options)
            run.ended = outcome.call
    finally:
        stop_warming.set()
    return with_findings(outcome, run)


async def _converse(call: Call, phone: Phone, uri: str, dialogue: CallbackDialogue,
                    run: CallRun, prompts: PromptCache,
                    options: CallbackOptions) -> CallbackOutcome:
    ring_s = phone.config.ring_timeout_s + MEDIA_WAIT_S
    if not await call.wait_answered(ring_s):
        ended = await call.wait_ended(MEDIA_WAIT_S)
        return outcome_of(dialogue, uri, ended, [ended], None)
    with contextlib.suppress(TimeoutError):  # no audio yet: taps start when it comes
        await call.wait_media(MEDIA_WAIT_S)
    outcome = await ScriptSession(call, dialogue, run, prompts, options).run()
    recorder = call.recorder_counters
    dropped = sum(c.dropped for c in call.tap_counters()) + (recorder.dropped if recorder
                                                               else 0)
    return dataclasses.replace(outcome, media=call.media, media_frames_dropped=dropped)


def with_findings(outcome: CallbackOutcome, run: CallRun) -> CallbackOutcome:
    """The outcome with what the call's checks raised (complete once the run has ended)."""
    return dataclasses.replace(outcome, findings=tuple(run.findings),
                               checks_skipped=run.skipped_checks)


async def run_stored_callback(
    phone: Phone,
    database: Database,
    policy_no: str,
    uri: str,
    pipeline: CallPipeline,
    prompts: PromptCache,
    options: CallbackOptions,
    *,
    on_dialled: Callable[[int], None] | None = None,
) -> StoredCallback:
    """Call `uri` for stored policy `policy_no`; the call, its answers, flags and problem cases
    stored as they happen.

    The CallRecord is committed before the INVITE goes out (`on_dialled` gets its id then), and
    finished when the call ends, as `failed` if this coroutine fails or is cancelled in
    between; a killed process leaves it with no end, its flags and answers stored. Its
    recording's path is stored from the start, so such a record points at the recording ivr
    recovers. Raises UnknownPolicyError before dialling when the database has no such
    policy, DedicatedAgentError when a named agent calls it back (专人回访), and ivr's
    DialError when pjsua2 refuses to dial.
    """
    policy = await asyncio.to_thread(robot_policy, database, policy_no)
    started = await asyncio.to_thread(
        start_call_record, database, policy.policy_id, CallDirection.OUTBOUND, uri,
        phone.config.recordings_dir)
    if on_dialled is not None:
        on_dialled(started.call_id)
    outcome = await call_policyholder(phone, uri, policy.record, pipeline, prompts, options,
                                      record_to=started.recording, call_id=started.call_id,
                                      holder=policy.holder)
    return StoredCallback(started.call_id, outcome)


def warm_prompts(dialogue: CallbackDialogue, prompts: PromptCache,
                 stop: threading.Event | None = None) -> int:
    """Render this policy's prompts while the phone rings; the number newly rendered."""
    rendered = 0
    for template in script_templates(dialogue.script):
        if stop is not None and stop.is_set():
            break
        try:
            rendered += not prompts.wav_for(template.text(dialogue.policy)).cached
        except TtsError as err:  # the call renders it again when needed, and fails loudly then
            log.warning("prompt not pre-rendered: %s", err)
    return rendered
