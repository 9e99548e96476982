"""One call going through the pipeline: what its legs hear and its script does goes to the
checks, the event bus and storage as it happens; `end` closes it the same way for every kind
of call, however it ended."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import TYPE_CHECKING

from agent_assist.events import Flag, Hint, VoiceCue
from agent_assist.voice_cues import PolicyholderRecord
from agent_assist.voiceprint_index import VoiceprintEntry
from asr.codec import Pcm16
from asr.engines import Engine
from asr.events import Transcript, TranscriptKind
from asr.vad import VadConfig, VadEvent
from huifang.calls.checks import CallChecks, FlagKey
from huifang.calls.events import CallEvent, CallStage, CallStatus, PromptPlayed, SessionEvent
from huifang.calls.legs import LegListener, Post
from huifang.calls.record import CallRecorder
from ivr.call import Call
from ivr.events import CallEnded, Leg
from scripts_zh.dialogue_events import (
    AnswerHeard,
    ItemConfirmed,
    ProblemItem,
    Prompt,
    SurrenderOrComplaint,
    TransferToHuman,
)
from scripts_zh.dialogue_events import CallEnded as DialogueEnded
from scripts_zh.policy import PolicyRecord
from storage.analysis_models import FlagKind

if TYPE_CHECKING:
    from huifang.calls.pipeline import CallPipeline

log = logging.getLogger(__name__)
DECODE_WAIT_S = 30.0  # for the recognisers to finish the last words after the hang-up
ANSWER_KEEP_S = 30.0  # longer than any answer a scripted session listens to again
# Dialogue events the screen shows: an ASK prompt marks its item asked, the rest its outcome.
_SHOWN_DIALOGUE = (Prompt, AnswerHeard, ItemConfirmed, ProblemItem, SurrenderOrComplaint,
                   TransferToHuman, DialogueEnded)
_STORED_DIALOGUE = (ItemConfirmed, ProblemItem, DialogueEnded)
# What the call's follow-ups are opened from when it ends: the prompts (the robot's promises),
# the answers heard and a surrender or complaint the dialogue caught (callback_followups).
_FOLLOW_UP_DIALOGUE = (Prompt, AnswerHeard, SurrenderOrComplaint)
Finding = Flag | VoiceCue


class CallRun:
    """One call's legs, checks, bus and record (made by CallPipeline.call)."""

    def __init__(self, pipeline: CallPipeline, call_id: int | None,
                 policy: PolicyRecord | None, holder: PolicyholderRecord | None,
                 identity: bool) -> None:
        self.call_id = call_id
        self.policy = policy
        self.holder = holder
        self.ended: CallEnded | None = None  # set by the kind of call once it knows
        self._pipeline = pipeline
        self._recorder = (CallRecorder(pipeline.writer, call_id)
                          if pipeline.writer is not None and call_id is not None else None)
        self._lock = threading.Lock()
        self._findings: dict[FlagKey | int, Finding] = {}  # what the checks raised, for outcomes
        self._listeners: list[asyncio.Task[None]] = []
        self.checks: CallChecks | None = None
        if pipeline.checks is not None:
            self.checks = pipeline.checks.for_call(self, holder, policy, identity=identity)
        if self._recorder is not None:
            self._recorder.checks_skipped(self.skipped_checks)

    @property
    def findings(self) -> list[Finding]:
        """Every flag and voice cue raised on the call so far, in the order raised."""
        with self._lock:
            return list(self._findings.values())

    @property
    def engine(self) -> Engine:
        """The recogniser the call's legs use."""
        return self._pipeline.engine

    @property
    def skipped_checks(self) -> tuple[str, ...]:
        """The checks this deployment does not run (the duplicate-voice search when off)."""
        return self._pipeline.checks.voice.skipped if self._pipeline.checks is not None else ()

    # --- the legs ------------------------------------------------------------------------

    def listen(self, call: Call, leg: Leg) -> None:
        """Recognise what this party of the call says (the call's own customer-side tap:
        on a bridged call each party is a call of its own), until the call ends."""
        listener = LegListener(self._pipeline.engine, leg.value, self._heard,
                               partial=self.on_transcript,
                               on_audio=self.on_audio if leg is Leg.CUSTOMER else None)
        self._listeners.append(asyncio.create_task(listener.run(call.tap(Leg.CUSTOMER))))

    def customer_ear(self, post: Post, vad: VadConfig) -> LegListener:
        """The customer leg of a scripted call: finals and speech boundaries to `post` (the
        session), partials straight to the checks, audio to the voice checks."""
        return LegListener(self._pipeline.engine, Leg.CUSTOMER.value, post,
                           partial=self.on_transcript, vad=vad, on_audio=self.on_audio,
                           keep_s=ANSWER_KEEP_S)

    def _heard(self, event: Transcript | VadEvent) -> None:
        if isinstance(event, Transcript):  # no VAD on a listened leg: finals only
            self.on_transcript(event)

    def on_transcript(self, result: Transcript) -> None:
        """A partial or final of either leg: shown, checked, and (a final) stored."""
        self.show(result)
        if self._recorder is not None and result.is_final and result.text:
            self._recorder.utterance(result)
        if self.checks is not None:
            self.checks.on_transcript(result)

    def on_audio(self, pcm: Pcm16, rate: int) -> None:
        """The customer's audio, for the voice checks."""
        if self.checks is not None:
            self.checks.on_audio(pcm, rate)

    def on_session_event(self, event: SessionEvent) -> None:
        """A scripted session's event: its customer transcripts, its prompts as the agent
        leg's words, the dialogue's item states (shown; answers and outcome stored)."""
        if isinstance(event, Transcript):
            self.on_transcript(event)
        elif isinstance(event, PromptPlayed):
            said = Transcript(TranscriptKind.FINAL, event.text, event.started_ms / 1000,
                              event.ended_ms / 1000, Leg.AGENT.value)
            self.on_transcript(said)
        elif isinstance(event, _SHOWN_DIALOGUE):
            self.show(event)
            if self._recorder is not None and isinstance(event, _STORED_DIALOGUE):
                self._recorder.dialogue(event)
            if self._recorder is not None and isinstance(event, _FOLLOW_UP_DIALOGUE):
                self._recorder.heard(event)

    # --- what the checks find (CheckSink) -------------------------------------------------

    def flag(self, flag: Flag, key: FlagKey | None, kind: FlagKind) -> None:
        """Keep the flag for the outcome and store it (its key replaces earlier evidence)."""
        with self._lock:
            self._findings[key if key is not None else len(self._findings)] = flag
        if self._recorder is not None:
            self._recorder.flag(flag, key, kind)

    def cue(self, cue: VoiceCue) -> None:
        """A voice cue: shown, kept and stored."""
        with self._lock:
            self._findings[len(self._findings)] = cue
        self.show(cue)
        if self._recorder is not None:
            self._recorder.cue(cue)

    def show(self, event: CallEvent | Hint) -> None:
        """Publish on the bus, for the screens watching the call."""
        bus = self._pipeline.bus
        if bus is not None and self.call_id is not None:
            bus.publish(self.call_id, event)

    # --- the end -------------------------------------------------------------------------

    async def end(self, failed: bool = False) -> None:
        """Decode the last words, run the whole-call rules, store the end; then the last voice
        measurement and the voiceprint (their cues are stored as they come)."""
        if self._listeners:
            _, pending = await asyncio.wait(self._listeners, timeout=DECODE_WAIT_S)
            for task in pending:
                task.cancel()
        ended = None if failed else self.ended
        if self.checks is not None:
            self.checks.end(ended is not None and ended.answered)
        if self._recorder is not None:
            await self._recorder.finish(ended)
        outcome = ended.outcome.value if ended is not None else "failed"
        self.show(CallStatus(CallStage.ENDED, outcome))
        if self.checks is not None:  # after the end is stored: the voice worker may be slow
            await asyncio.to_thread(self.checks.end_voice)
            await asyncio.to_thread(self._keep_voiceprint)
            if self._recorder is not None:
                await self._recorder.flushed()

    def _keep_voiceprint(self) -> None:
        """Store the customer's voiceprint for later calls' searches (voiceprints on)."""
        store = self._pipeline.voiceprints
        voiceprint = self.checks.voiceprint if self.checks is not None else None
        if store is None or voiceprint is None or self.holder is None or self.call_id is None:
            return
        holder = self.holder
        entry = VoiceprintEntry(holder.policyholder_id, holder.policy_no, str(self.call_id),
                                Leg.CUSTOMER.value, holder.salesperson, holder.team,
                                holder.outlet, holder.branch)
        try:
            store.replace_call(entry, voiceprint)
        except OSError:
            log.exception("voiceprint of call %s not stored", self.call_id)
