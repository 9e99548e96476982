"""Voice activity segmentation: webrtcvad decisions per 30 ms frame → utterances.

`SpeechTimeline` is the pure, clock-free state machine (one voiced/unvoiced decision per
frame in, transitions out); `VadSegmenter` feeds it webrtcvad decisions and keeps the audio.
All times come from sample counts, never from a clock.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import webrtcvad

from asr.codec import PIPELINE_RATE, Pcm16

FRAME_MS = 30


@dataclass(frozen=True)
class VadConfig:
    """How eagerly speech is detected and how much silence ends it."""

    aggressiveness: int = 2
    padding_ms: int = 150
    hangover_ms: int = 400
    start_window_frames: int = 5
    start_voiced_frames: int = 3
    max_utterance_s: float = 25.0
    trailing_ms: int = 90
    # webrtcvad calls line hiss speech. A frame must also be loud enough, and either not
    # flat-spectrum (white noise ≈ 0.5-0.6; 99.9 % of speech frames < 0.38) or well above
    # the noise floor (speech onsets drowned in hiss are flat but louder).
    min_rms: float = 60.0  # about -55 dBFS
    max_flatness: float = 0.45
    floor_snr: float = 3.0  # ≈ 10 dB above the tracked noise floor
    floor_rise: float = 0.005  # per frame: the floor may double in about 4 s


class VadEventKind(StrEnum):
    """What the segmenter saw."""

    SPEECH_STARTED = "speech_started"
    SPEECH_ENDED = "speech_ended"


@dataclass(frozen=True)
class VadEvent:
    """A speech boundary; `audio` holds the utterance (with padding) on SPEECH_ENDED."""

    kind: VadEventKind
    start_sample: int
    end_sample: int
    sample_rate: int = PIPELINE_RATE
    audio: Pcm16 | None = None
    audio_start_sample: int = 0

    @property
    def start_s(self) -> float:
        """Speech start in seconds from the start of the stream."""
        return self.start_sample / self.sample_rate

    @property
    def end_s(self) -> float:
        """Speech end in seconds from the start of the stream."""
        return self.end_sample / self.sample_rate


@dataclass(frozen=True)
class Transition:
    """A change the timeline reports: frame indexes of the first and after-last voiced frame."""

    kind: VadEventKind
    first_frame: int
    end_frame: int


class SpeechTimeline:
    """Pure state machine over per-frame speech decisions (no audio, no clock)."""

    def __init__(self, config: VadConfig) -> None:
        self._cfg = config
        self._hangover = max(1, -(-config.hangover_ms // FRAME_MS))
        self._max_frames = int(config.max_utterance_s * 1000 // FRAME_MS)
        self._recent: deque[tuple[int, bool]] = deque(maxlen=config.start_window_frames)
        self.frame = 0
        self.in_speech = False
        self._first = 0
        self._last_voiced_end = 0
        self._silence_run = 0

    @property
    def silence_frames(self) -> int:
        """Unvoiced frames since the last voiced one of the open utterance."""
        return self._silence_run if self.in_speech else 0

    @property
    def open_utterance(self) -> tuple[int, int]:
        """First and after-last voiced frame of the open utterance, were it to end now."""
        return self._first, self._last_voiced_end

    def process(self, is_speech: bool) -> Transition | None:
        """Take the next frame's decision; return a transition when one happens."""
        index = self.frame
        self.frame += 1
        if not self.in_speech:
            return self._while_silent(index, is_speech)
        return self._while_speaking(index, is_speech)

    def finish(self) -> Transition | None:
        """End of input: close an utterance that is still open."""
        if not self.in_speech:
            return None
        self.in_speech = False
        return Transition(VadEventKind.SPEECH_ENDED, self._first, self._last_voiced_end)

    def _while_silent(self, index: int, is_speech: bool) -> Transition | None:
        self._recent.append((index, is_speech))
        voiced = [i for i, v in self._recent if v]
        if len(voiced) < self._cfg.start_voiced_frames:
            return None
        self.in_speech = True
        self._first = voiced[0]
        self._last_voiced_end = index + 1 if is_speech else voiced[-1] + 1
        self._silence_run = 0 if is_speech else index - voiced[-1]
        self._recent.clear()
        return Transition(VadEventKind.SPEECH_STARTED, self._first, self._last_voiced_end)

    def _while_speaking(self, index: int, is_speech: bool) -> Transition | None:
        if is_speech:
            self._last_voiced_end = index + 1
            self._silence_run = 0
        else:
            self._silence_run += 1
        too_long = index + 1 - self._first >= self._max_frames
        if self._silence_run < self._hangover and not too_long:
            return None
        self.in_speech = False
        end = index + 1 if too_long and self._silence_run == 0 else self._last_voiced_end
        return Transition(VadEventKind.SPEECH_ENDED, self._first, end)


class VadSegmenter:
    """Split a 16 kHz PCM16 stream into utterances with sample-exact start and end times."""

    def __init__(self, config: VadConfig | None = None, sample_rate: int = PIPELINE_RATE) -> None:
        self.config = config or VadConfig()
        self.sample_rate = sample_rate
        self.frame_samples = sample_rate * FRAME_MS // 1000
        self._vad = webrtcvad.Vad(self.config.aggressiveness)
        self._window = np.hanning(self.frame_samples)
        self._floor = 0.0
        self._timeline = SpeechTimeline(self.config)
        self._pending = np.zeros(0, dtype=np.int16)
        keep = (self.config.padding_ms // FRAME_MS) + self.config.start_window_frames
        self._history: deque[Pcm16] = deque(maxlen=keep)  # frames before the utterance
        self._utterance: list[Pcm16] = []
        self._utterance_first_frame = 0

    @property
    def in_speech(self) -> bool:
        """Whether an utterance is open."""
        return self._timeline.in_speech

    def current_audio(self) -> Pcm16:
        """The open utterance's audio so far (empty when silent)."""
        if not self._utterance:
            return np.zeros(0, dtype=np.int16)
        return np.concatenate(self._utterance)

    @property
    def silence_ms(self) -> int:
        """Silence since the open utterance's last voiced frame (0 when none is open)."""
        return self._timeline.silence_frames * FRAME_MS

    def closing_utterance(self) -> VadEvent | None:
        """The SPEECH_ENDED event the open utterance would give if it ended now.

        Lets a recogniser start decoding during the hang-over; None while the trailing
        audio after the last voiced frame has not arrived yet.
        """
        if not self.in_speech or self.silence_ms < self.config.trailing_ms:
            return None
        first, end = self._timeline.open_utterance
        return self._utterance_event(Transition(VadEventKind.SPEECH_ENDED, first, end))

    def push(self, pcm: Pcm16) -> list[VadEvent]:
        """Feed samples of any length; returns the boundaries they complete."""
        data = np.concatenate([self._pending, np.asarray(pcm, dtype=np.int16)])
        n = self.frame_samples
        whole = len(data) // n * n
        self._pending = data[whole:]
        events: list[VadEvent] = []
        for offset in range(0, whole, n):
            events.extend(self._frame(data[offset : offset + n]))
        return events

    def flush(self) -> list[VadEvent]:
        """End of input: the open utterance, if any, ends at its last voiced frame."""
        transition = self._timeline.finish()
        return [self._ended(transition)] if transition else []

    def _frame(self, frame: Pcm16) -> list[VadEvent]:
        voiced = self._vad.is_speech(frame.tobytes(), self.sample_rate) and self._not_noise(frame)
        transition = self._timeline.process(voiced)
        if self._timeline.in_speech or transition is not None:
            self._utterance.append(frame)
        else:
            self._history.append(frame)
        if transition is None:
            return []
        if transition.kind is VadEventKind.SPEECH_STARTED:
            return [self._started(transition)]
        return [self._ended(transition)]

    def _not_noise(self, frame: Pcm16) -> bool:
        """Energy floor and spectral flatness: the checks webrtcvad lacks against hiss."""
        cfg = self.config
        x = frame.astype(np.float64)
        rms = float(np.sqrt(np.mean(x * x)))
        # Minimum tracking: the floor follows quiet frames down at once and rises slowly; it
        # never sinks below min_rms, or digital silence would make any murmur "loud".
        rising = self._floor * (1 + cfg.floor_rise) if self._floor else rms
        self._floor = max(min(rms, rising), cfg.min_rms)
        if rms < cfg.min_rms:
            return False
        if rms >= cfg.floor_snr * self._floor:
            return True
        power = np.abs(np.fft.rfft(x * self._window))[1:] ** 2 + 1e-9
        flatness = float(np.exp(np.mean(np.log(power))) / np.mean(power))
        return flatness <= cfg.max_flatness

    def _started(self, t: Transition) -> VadEvent:
        pad_frames = min(len(self._history), self.config.padding_ms // FRAME_MS
                         + (self._timeline.frame - 1 - t.first_frame))
        history = list(self._history)[len(self._history) - pad_frames :] if pad_frames else []
        self._utterance = [*history, *self._utterance]
        self._utterance_first_frame = self._timeline.frame - len(self._utterance)
        self._history.clear()
        n = self.frame_samples
        return VadEvent(VadEventKind.SPEECH_STARTED, t.first_frame * n, t.end_frame * n,
                        self.sample_rate)

    def _kept_frames(self, t: Transition) -> int:
        trailing = self.config.trailing_ms // FRAME_MS
        return max(0, t.end_frame + trailing - self._utterance_first_frame)

    def _utterance_event(self, t: Transition) -> VadEvent:
        n = self.frame_samples
        frames = self._utterance[: self._kept_frames(t)]
        audio = np.concatenate(frames) if frames else np.zeros(0, dtype=np.int16)
        return VadEvent(VadEventKind.SPEECH_ENDED, t.first_frame * n, t.end_frame * n,
                        self.sample_rate, audio, self._utterance_first_frame * n)

    def _ended(self, t: Transition) -> VadEvent:
        event = self._utterance_event(t)
        # Frames after the kept part are silence; they become the next utterance's padding.
        self._history.extend(self._utterance[self._kept_frames(t) :])
        self._utterance = []
        return event
