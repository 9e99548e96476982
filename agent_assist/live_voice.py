"""Voice cues during a live call: the customer's speech kept, measured off the hot path.

Praat holds the GIL for a second or more per measurement, which would stall the per-utterance
rules in the same process; so the measuring (and the voiceprint, where one is wanted) runs in
one worker process per AssistFactory. The customer's voice is measured once `min_speech_s` of
speech has been heard, so the cues reach the agent during the call, and once more while the
call is up when speech has doubled (a voiceprint of a few seconds through the phone band is
unsteady); it is measured again over everything heard when the call ends only if nothing was
measured or the call went on to twice as much speech since (a Praat pass costs about as much
CPU as a whole call's other checks). Each cue kind is emitted once.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import BrokenExecutor, CancelledError, Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date

import numpy as np
import webrtcvad

from agent_assist.duplicate_voice import duplicate_voice_cue, find_duplicate_voices
from agent_assist.events import CueKind, Leg, VoiceCue
from agent_assist.voice_cues import PolicyholderRecord, voice_changer_cue, voice_cues
from agent_assist.voice_features import VoiceFeatures, VoiceMeasurementError, measure_voice
from agent_assist.voiceprint import (
    SAME_VOICE_THRESHOLD,
    TooLittleSpeechError,
    Voiceprint,
    VoiceprintEncoder,
)
from agent_assist.voiceprint_index import VoiceprintSearch
from asr.codec import PIPELINE_RATE, Pcm16, resample

CueSink = Callable[[VoiceCue], None]

# Enough speech for stable pitch and formant medians (the corpus clips settle within 5-8 s).
LIVE_MIN_SPEECH_S = 8.0
# Five minutes of speech say all the features can: a long call is not kept whole in memory.
MAX_KEPT_S = 300.0
_VAD_RATES = (8000, 16000)  # the leg's own rate is kept: resampling 20 ms pieces would smear
_VAD_AGGRESSIVENESS = 2
_REMEASURE_GROWTH = 2.0  # measure again once speech has grown this much since the last time
# Live measurements per call: at min_speech_s and once more at twice that (an early voiceprint
# of a few seconds through G.711 scores a same-voice pair near the threshold; the second is
# steadier). The end of the call measures once more where speech has grown since.
_LIVE_MEASUREMENTS = 2
_PARENT_POLL_S = 1.0
_WORKER_NICENESS = 10


@dataclass(frozen=True, slots=True)
class Measurement:
    """What the worker made of a stretch of audio: features (or why not) and a voiceprint."""

    features: VoiceFeatures | str
    voiceprint: Voiceprint | None = None


_ENCODER: list[VoiceprintEncoder] = []  # the worker process's one encoder, loaded on first use


def _measure(audio: Pcm16, rate: int, want_voiceprint: bool = False) -> Measurement:
    """Run in the worker process: the features (or why not), and the voiceprint if asked."""
    wideband = resample(audio, rate) if rate != PIPELINE_RATE else audio
    try:
        features: VoiceFeatures | str = measure_voice(wideband)
    except VoiceMeasurementError as err:
        features = str(err)
    voiceprint = None
    if want_voiceprint:
        if not _ENCODER:
            _ENCODER.append(VoiceprintEncoder())
        try:
            voiceprint = _ENCODER[0].embed(wideband)
        except TooLittleSpeechError:
            voiceprint = None
    return Measurement(features, voiceprint)


def _worker_start(parent: int) -> None:
    """Run in the worker process as it starts: yield the CPU to the calls' real-time work, and
    exit when the process that started it is gone.

    Voice cues may come a second later; an answer decoded a second later derails a dialogue,
    hence the lower priority. A killed parent (a crashed campaign worker) would otherwise
    leave this process running, holding the parent's inherited stdout and stderr open."""
    os.nice(_WORKER_NICENESS)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_PARENT_POLL_S)
        os._exit(0)

    threading.Thread(target=watch, name="follow-parent", daemon=True).start()


def _outcome(future: Future[Measurement]) -> Measurement:
    """A measurement's result; a cancelled one or a crashed worker gives no cue, not an error
    at the end of a call."""
    try:
        return future.result()
    except (CancelledError, BrokenExecutor) as err:
        return Measurement(f"voice worker: {type(err).__name__}")


class VoiceWorker:
    """One spawned process that measures voices for every call of a factory, one at a time."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the process now (at a call's start), not in the middle of a call's audio."""
        self._executor()

    def submit(self, audio: Pcm16, rate: int,
               want_voiceprint: bool = False) -> Future[Measurement]:
        """Queue a measurement."""
        return self._executor().submit(_measure, audio, rate, want_voiceprint)

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:  # spawned, not forked: the parent has pj's threads
                context = multiprocessing.get_context("spawn")
                self._pool = ProcessPoolExecutor(max_workers=1, mp_context=context,
                                                 initializer=_worker_start,
                                                 initargs=(os.getpid(),))
                # A warm-up job: the process starts and imports Praat before any audio waits.
                self._pool.submit(_measure, np.zeros(PIPELINE_RATE, np.int16), PIPELINE_RATE)
            return self._pool

    def close(self) -> None:
        """Stop the process (waits for a running measurement)."""
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None


@dataclass(frozen=True, slots=True)
class VoiceCueSetup:
    """What a call's live voice cues compare against and where they go."""

    record: PolicyholderRecord | None  # None: only the voice-changer cue can be given
    on_cue: CueSink | None = None
    today: date | None = None  # the day ages are taken on; today by default
    # Stored voiceprints to search (the duplicate-voice cue), as soon as there is enough speech.
    index: VoiceprintSearch | None = None
    threshold: float = SAME_VOICE_THRESHOLD
    min_speech_s: float = LIVE_MIN_SPEECH_S
    # Make the customer's voiceprint (to search, or to store when the call ends).
    voiceprint: bool = False


@dataclass(frozen=True, slots=True)
class _Live:
    """A measurement made while the call is up: its future and how much it had heard."""

    future: Future[Measurement]
    speech_s: float
    heard_s: float


class LiveVoiceCues:
    """One call's customer voice: audio in, identity cues out (to `emit`) while and after."""

    def __init__(self, worker: VoiceWorker, setup: VoiceCueSetup) -> None:
        self._worker = worker
        self._setup = setup
        self._today = setup.today or date.today()
        self._vad = webrtcvad.Vad(_VAD_AGGRESSIVENESS)
        # Re-entrant: a future already done runs its callback in the thread that adds it.
        self._lock = threading.RLock()
        self._kept: list[Pcm16] = []  # the speech heard, 20 ms frames of it
        self._kept_samples = 0
        self._heard_samples = 0  # everything heard, speech or not: the leg's clock
        self._rate = 0  # the leg's sample rate, from its first audio
        self._unframed = np.empty(0, np.int16)
        self._speech_frames = 0
        self._live: list[_Live] = []  # the measurements made while the call is up
        self._cues: list[VoiceCue] = []
        self._voiceprint: Voiceprint | None = None

    @property
    def speech_s(self) -> float:
        """Seconds of customer speech heard so far (webrtcvad's 20 ms frames)."""
        return self._speech_frames * 0.02

    @property
    def cues(self) -> list[VoiceCue]:
        """The cues emitted so far."""
        with self._lock:
            return list(self._cues)

    @property
    def voiceprint(self) -> Voiceprint | None:
        """The customer's voiceprint, once measured (VoiceCueSetup.voiceprint)."""
        with self._lock:
            return self._voiceprint

    def on_audio(self, pcm: Pcm16, rate: int = PIPELINE_RATE) -> None:
        """Keep customer audio (8 or 16 kHz, one rate per call), count its speech, and start
        the early measurement when due."""
        with self._lock:
            if not self._rate:
                if rate not in _VAD_RATES:
                    raise ValueError(f"live voice cues take 8 or 16 kHz audio, got {rate} Hz")
                self._rate = rate
            elif rate != self._rate:
                raise ValueError(f"the leg's audio changed from {self._rate} Hz to {rate} Hz")
            self._heard_samples += len(pcm)
            self._keep_speech(pcm)
            if self._live_measurement_due():
                live = _Live(self._worker.submit(self._audio(), self._rate,
                                                 self._setup.voiceprint),
                             self.speech_s, self._heard_samples / self._rate)  # fmt: skip
                self._live.append(live)
                live.future.add_done_callback(lambda f: self._live_done(f, live.heard_s))

    def finish(self) -> list[VoiceCue]:
        """The call ended: the early cues, a last measurement where due; the new cues."""
        with self._lock:
            live, audio, rate = list(self._live), self._audio(), self._rate
            speech_s = self.speech_s
            heard_s = self._heard_samples / rate if rate else 0.0
        cues: list[VoiceCue] = []
        for made in live:  # their cues first, whether or not their callbacks have run yet
            cues += self._cues_for(_outcome(made.future), made.heard_s)
        measured = any(not isinstance(_outcome(m.future).features, str) for m in live)
        grown = not live or speech_s >= _REMEASURE_GROWTH * live[-1].speech_s
        if len(audio) and (not measured or grown):
            cues += self._cues_for(
                _outcome(self._worker.submit(audio, rate, self._setup.voiceprint)), heard_s)
        return self._deliver(cues)

    def _live_measurement_due(self) -> bool:
        """The first at min_speech_s; the next once the last is done and speech has doubled."""
        if not self._live:
            return self.speech_s >= self._setup.min_speech_s
        last = self._live[-1]
        return (len(self._live) < _LIVE_MEASUREMENTS and last.future.done()
                and self.speech_s >= _REMEASURE_GROWTH * last.speech_s)  # fmt: skip

    def _keep_speech(self, pcm: Pcm16) -> None:
        """Count the speech in 20 ms frames and keep only those: measuring a robot call's
        silences cost Praat four times the CPU of its speech, and told nothing."""
        size = self._rate // 50
        frames = np.concatenate([self._unframed, pcm])
        whole = len(frames) - len(frames) % size
        for start in range(0, whole, size):
            frame = frames[start : start + size]
            if self._vad.is_speech(frame.tobytes(), self._rate):
                self._speech_frames += 1
                if self._kept_samples < MAX_KEPT_S * self._rate:
                    self._kept.append(frame.copy())
                    self._kept_samples += size
        self._unframed = frames[whole:]

    def _audio(self) -> Pcm16:
        return np.concatenate(self._kept) if self._kept else np.empty(0, np.int16)

    def _live_done(self, future: Future[Measurement], measured_s: float) -> None:
        if future.cancelled() or future.exception() is not None:
            return  # the worker was shut down with the call still open: the end measures again
        self._deliver(self._cues_for(future.result(), measured_s))

    def _cues_for(self, measured: Measurement, measured_s: float) -> list[VoiceCue]:
        """The cues of one measurement, stamped with the stretch of audio it covered."""
        cues: list[VoiceCue] = []
        features = measured.features
        record = self._setup.record
        if isinstance(features, str):
            pass  # too little voiced speech: no cue is better than a guess
        elif record is None:  # no record to compare with: only the voice changer
            changer = voice_changer_cue(features, Leg.CUSTOMER)
            cues += [changer] if changer else []
        else:
            cues += voice_cues(features, record, Leg.CUSTOMER, self._today)
        if measured.voiceprint is not None:
            with self._lock:
                self._voiceprint = measured.voiceprint
            cues += self._duplicate(measured.voiceprint)
        return [dataclasses.replace(cue, start=0.0, end=measured_s) for cue in cues]

    def _duplicate(self, voiceprint: Voiceprint) -> list[VoiceCue]:
        index, record = self._setup.index, self._setup.record
        if index is None or record is None or not len(index):
            return []
        matches = find_duplicate_voices(index, voiceprint, record, self._setup.threshold)
        cue = duplicate_voice_cue(matches)
        return [cue] if cue else []

    def _deliver(self, cues: list[VoiceCue]) -> list[VoiceCue]:
        """Emit the cues of kinds not emitted yet; return them."""
        with self._lock:
            seen: set[CueKind] = {cue.kind for cue in self._cues}
            new: list[VoiceCue] = []
            for cue in cues:
                if cue.kind not in seen:
                    seen.add(cue.kind)
                    new.append(cue)
            self._cues.extend(new)
        if self._setup.on_cue is not None:
            for cue in new:
                self._setup.on_cue(cue)
        return new

