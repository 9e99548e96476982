"""The hint engine of one call: final utterances in, Flag and Hint events out, as they happen;
with a VoiceCueSetup, the customer's audio in and voice cues out as well."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from agent_assist.events import (
    AudioFrame,
    Flag,
    Hint,
    Leg,
    TranscriptLike,
    Utterance,
    VoiceCue,
    as_utterance,
)
from agent_assist.flag_model import DEFAULT_MODEL_FILE, FlagModel
from agent_assist.hints import hint_for
from agent_assist.misleading_sale import MisleadingSaleDetector
from agent_assist.rule_set import DEFAULT_RULES_FILE, RuleSet
from agent_assist.voiceprint import Voiceprint
from agent_assist.whole_call import WholeCallAnalyser

if TYPE_CHECKING:  # the voice stack (Praat, webrtcvad) loads only for calls that use it
    from agent_assist.live_voice import LiveVoiceCues, VoiceCueSetup, VoiceWorker

EventSink = Callable[[Flag | Hint], None]


class CallAssistant:
    """Analyses one call: each final utterance at once, the whole call when it ends."""

    def __init__(
        self,
        detector: MisleadingSaleDetector,
        whole_call: WholeCallAnalyser,
        emit: EventSink | None = None,
        voice: LiveVoiceCues | None = None,
    ) -> None:
        self._detector = detector
        self._whole_call = whole_call
        self._emit = emit
        self._voice = voice
        self._utterances: list[Utterance] = []

    def on_utterance(self, event: Utterance | TranscriptLike) -> list[Flag]:
        """Analyse a final utterance (partials are ignored) and emit its flags and hints."""
        utterance = as_utterance(event)
        if not utterance.final:
            return []
        self._utterances.append(utterance)
        flags = self._detector.analyse(utterance)
        self._deliver(flags)
        return flags

    def on_audio(self, frame: AudioFrame) -> None:
        """Take a piece of a leg's audio (8 or 16 kHz): the customer's is kept for voice cues.

        Cheap on the caller's thread (a copy and a VAD pass); the measuring runs elsewhere.
        """
        if self._voice is None or frame.leg != Leg.CUSTOMER:
            return
        self._voice.on_audio(frame.samples, frame.sample_rate)

    def end_call(self, rules: bool = True, voice: bool = True) -> list[Flag]:
        """Apply the whole-call rules (unless `rules` is False: e.g. a call nobody answered)
        and emit their flags; measure the voice a last time (unless `voice` is False: the
        caller does that later with finish_voice)."""
        flags = self._whole_call.analyse(self._utterances) if rules else []
        self._deliver(flags)
        if voice:
            self.finish_voice()
        return flags

    def finish_voice(self) -> None:
        """The last voice measurement (blocking: it may wait for the voice worker)."""
        if self._voice is not None:
            self._voice.finish()

    @property
    def voice_cues(self) -> list[VoiceCue]:
        """The voice cues emitted on this call so far."""
        return self._voice.cues if self._voice is not None else []

    @property
    def voiceprint(self) -> Voiceprint | None:
        """The customer's voiceprint, once made (VoiceCueSetup.voiceprint)."""
        return self._voice.voiceprint if self._voice is not None else None

    def _deliver(self, flags: Iterable[Flag]) -> None:
        if self._emit is None:
            return
        for flag in flags:
            self._emit(flag)
            self._emit(hint_for(flag))


class AssistFactory:
    """Loads the rules once per process and makes a CallAssistant per call."""

    def __init__(self, rules_file: Path = DEFAULT_RULES_FILE, *,
                 learned_flags: bool = False) -> None:
        self.rule_set = RuleSet.load(rules_file)
        model = FlagModel.load(DEFAULT_MODEL_FILE) if learned_flags else None
        self.detector = MisleadingSaleDetector(self.rule_set, model=model)
        self.whole_call = WholeCallAnalyser(self.rule_set.whole_call_rules)
        self._voice_worker: VoiceWorker | None = None
        self._voice_lock = threading.Lock()  # calls start on any thread

    def new_call(
        self, emit: EventSink | None = None, voice: VoiceCueSetup | None = None
    ) -> CallAssistant:
        """A fresh assistant for one call; with `voice`, live voice cues from its audio."""
        if voice is None:
            return CallAssistant(self.detector, self.whole_call, emit)
        from agent_assist.live_voice import LiveVoiceCues

        live = LiveVoiceCues(self.start_voice_worker(), voice)
        return CallAssistant(self.detector, self.whole_call, emit, live)

    def start_voice_worker(self) -> VoiceWorker:
        """The voice-measuring process, started now if it is not yet (best before any call:
        starting it costs a few seconds of CPU)."""
        from agent_assist.live_voice import VoiceWorker

        with self._voice_lock:
            if self._voice_worker is None:
                self._voice_worker = VoiceWorker()
            worker = self._voice_worker
        worker.start()
        return worker

    def close(self) -> None:
        """Stop the voice-measuring process, if one was started."""
        if self._voice_worker is not None:
            self._voice_worker.close()

    def analyse_recording(self, utterances: Iterable[Utterance | TranscriptLike]) -> list[Flag]:
        """The same analysis over a finished call's transcript: real-time flags, then whole-call."""
        call = self.new_call()
        flags = [flag for event in utterances for flag in call.on_utterance(event)]
        return flags + call.end_call()
