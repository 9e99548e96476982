"""Place one automated callback: dial, wait for the answer, run the session, report."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import threading
from pathlib import Path

from asr.engines import Engine
from huifang.callback.options import CallbackOptions
from huifang.callback.outcome import CallbackOutcome, outcome_of
from huifang.callback.session import CallbackSession
from huifang.prompt_audio.cache import PromptCache
from huifang.prompt_audio.script_texts import script_templates
from huifang.prompt_audio.tts import TtsError
from ivr.phone import Phone
from scripts_zh.dialogue import CallbackDialogue
from scripts_zh.policy import PolicyRecord
from scripts_zh.script_loader import script_for

log = logging.getLogger(__name__)
MEDIA_WAIT_S = 5.0


async def call_policyholder(phone: Phone, uri: str, policy: PolicyRecord, engine: Engine,
                            prompts: PromptCache, options: CallbackOptions, *,
                            record_to: Path | None = None) -> CallbackOutcome:
    """One automated callback to `uri` for `policy`, from INVITE to the last BYE.

    Recorded to `record_to`, or where the phone's recordings go by default."""
    dialogue = CallbackDialogue(script_for(policy), policy)
    stop_warming = threading.Event()
    asyncio.get_running_loop().run_in_executor(None, warm_prompts, dialogue, prompts,
                                               stop_warming)
    try:
        call = await phone.place_call(uri, record_to=record_to)
        ring_s = phone.config.ring_timeout_s + MEDIA_WAIT_S
        if not await call.wait_answered(ring_s):
            ended = await call.wait_ended(MEDIA_WAIT_S)
            return outcome_of(dialogue, uri, ended, [ended], None)
        with contextlib.suppress(TimeoutError):  # no audio yet: taps start when it comes
            await call.wait_media(MEDIA_WAIT_S)
        session = CallbackSession(call, dialogue, engine, prompts, options)
        outcome = await session.run()
        recorder = call.recorder_counters
        dropped = sum(c.dropped for c in call.tap_counters()) + (recorder.dropped if recorder
                                                                   else 0)
        return dataclasses.replace(outcome, media=call.media, media_frames_dropped=dropped)
    finally:
        stop_warming.set()


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
