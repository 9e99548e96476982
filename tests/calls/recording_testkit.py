"""Checks of a callback's recording by content: both legs, prompts where played, answers heard.

The recording is ivr's stereo WAV (channel 0 the system leg: our prompts; channel 1 the
customer leg), on the same sample clock as the session's event times (both taps start in one
pj turn). The checks read only the WAV and the outcome's events, plus what the test told its
peer to say, so a recording that is silent, swapped, shifted or missing a leg fails.
"""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from asr.evaluation import character_error_rate
from asr.wavfile import read_audio

RECORDING_RATE = 16000  # ivr's conference bridge rate, whatever the codec
WINDOW_MS = 50
LOUD_RMS = 300.0  # PCM16; our prompts and the peer's answers are far louder
QUIET_RMS = 60.0  # line silence, codec noise included, stays far below this
EDGE_MS = 300  # event times and audio may differ by a few frames of queueing
MIN_LOUD_SHARE = 0.4  # espeak speech is loud in most 50 ms windows; pauses are short
# A peer's last answer may begin as the call hangs up and never reach the recording: one
# answer is let off when the recording ends within this long of the last stretch heard
# (a CI run, 2026-12-07: nine answers said, eight recorded, 1.0 s of quiet at the end).
CUT_MS = 2500
SPEECH_GAP_MS = 700  # pauses inside one answer (espeak's commas) are shorter than this
MAX_ANSWER_CER = 0.5  # an answer counts as recognised at this CER or below
MIN_RECOGNISED = 0.75  # share of a call's answers that must be recognised
# Answers a closed listen weighs against the spoken one (the second listen's idea): the audio
# holds the spoken words if the model finds them likelier than these and than its free decode.
OTHER_ANSWERS = ("不对", "不是", "没有", "喂", "嗯", "好的", "不清楚")

Samples = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Recording:
    """The two legs of one call recording, as float samples."""

    path: Path
    rate: int
    system: Samples
    customer: Samples

    def swapped(self) -> Recording:
        """The same recording with its legs swapped: what the checks must reject."""
        return Recording(self.path, self.rate, self.customer, self.system)

    @property
    def duration_ms(self) -> int:
        """Length of the recording."""
        return len(self.system) * 1000 // self.rate


@dataclass(frozen=True)
class Span:
    """A stretch of sound on one channel, in recording milliseconds."""

    start_ms: int
    end_ms: int


def read_recording(path: str | Path, rate: int = RECORDING_RATE) -> Recording:
    """The WAV as two legs; AssertionError unless it is 2-channel PCM16 at `rate`."""
    with wave.open(str(path), "rb") as wav:
        assert wav.getnchannels() == 2, f"{path}: {wav.getnchannels()} channel(s), want 2"
        assert wav.getsampwidth() == 2, f"{path}: {8 * wav.getsampwidth()}-bit, want 16"
        assert wav.getframerate() == rate, f"{path}: {wav.getframerate()} Hz, want {rate}"
        pcm = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    stereo = pcm.reshape(-1, 2).astype(np.float64)
    return Recording(Path(path), rate, stereo[:, 0].copy(), stereo[:, 1].copy())


def window_rms(samples: Samples, rate: int) -> Samples:
    """RMS of each WINDOW_MS window (the last, partial one dropped)."""
    size = rate * WINDOW_MS // 1000
    usable = len(samples) // size * size
    windows = samples[:usable].reshape(-1, size)
    return np.asarray(np.sqrt(np.mean(windows * windows, axis=1)), dtype=np.float64)


def sound_spans(samples: Samples, rate: int, gap_ms: int = SPEECH_GAP_MS,
                threshold: float = LOUD_RMS) -> list[Span]:
    """Stretches at or above `threshold`, pauses shorter than `gap_ms` bridged."""
    loud = np.flatnonzero(window_rms(samples, rate) >= threshold)
    spans: list[Span] = []
    for index in loud:
        start, end = int(index) * WINDOW_MS, (int(index) + 1) * WINDOW_MS
        if spans and start - spans[-1].end_ms <= gap_ms:
            spans[-1] = Span(spans[-1].start_ms, end)
        else:
            spans.append(Span(start, end))
    return spans


def prompt_spans(events: list[dict[str, Any]]) -> list[Span]:
    """When each PromptPlayed event says a prompt played, in recording milliseconds."""
    return [Span(e["started_ms"], e["ended_ms"]) for e in events
            if e["type"] == "callback.PromptPlayed"]


def check_system_channel(recording: Recording, events: list[dict[str, Any]]) -> None:
    """Loud inside every played prompt, (near) silent everywhere no prompt played."""
    rms = window_rms(recording.system, recording.rate)
    played = prompt_spans(events)
    assert played, "no PromptPlayed events to check the system channel against"
    for span in played:
        inside = _windows(rms, span.start_ms + EDGE_MS, span.end_ms - EDGE_MS)
        if len(inside) == 0:
            continue  # stopped at once (a barge-in on its first words): too short to judge
        share = float(np.mean(inside >= LOUD_RMS))
        assert share >= MIN_LOUD_SHARE, (
            f"{recording.path}: system channel loud in {share:.0%} of the prompt at"
            f" {span.start_ms}-{span.end_ms} ms")
    quiet_until = 0
    for span in [*played, Span(recording.duration_ms + EDGE_MS, 0)]:
        gap = _windows(rms, quiet_until, span.start_ms - EDGE_MS)
        if len(gap):
            assert gap.max() < QUIET_RMS, (
                f"{recording.path}: system channel sounds (RMS {gap.max():.0f}) between"
                f" {quiet_until} and {span.start_ms} ms, when no prompt played")
        quiet_until = max(quiet_until, span.end_ms + EDGE_MS)


def check_customer_channel(recording: Recording, answers: list[Path]) -> list[Span]:
    """One stretch of sound per answer the peer spoke, each as long as its audio; no other.

    Returns the stretches, in order, for `check_answer_words`.
    """
    spans = sound_spans(recording.customer, recording.rate)
    if len(spans) == len(answers) - 1 and recording.duration_ms - _last_end(spans) <= CUT_MS:
        answers = answers[:-1]  # the peer's last answer began as the call hung up: not recorded
    assert len(spans) == len(answers), (
        f"{recording.path}: customer channel has {len(spans)} stretch(es) of sound at"
        f" {[(s.start_ms, s.end_ms) for s in spans]} ms; the peer spoke {len(answers)} answer(s)")
    for span, answer in zip(spans, answers, strict=True):
        spoken_ms, heard_ms = _voiced_ms(answer), span.end_ms - span.start_ms
        if span.end_ms >= recording.duration_ms - EDGE_MS:
            spoken_ms = min(spoken_ms, heard_ms)  # the call ended while the peer spoke
        assert abs(heard_ms - spoken_ms) <= 2 * EDGE_MS, (
            f"{recording.path}: answer {answer.name} is {spoken_ms} ms of sound, but the"
            f" customer channel has {heard_ms} ms at {span.start_ms} ms")
    return spans


def _last_end(spans: list[Span]) -> int:
    """Where the last stretch of sound ends, in ms (0 with none)."""
    return spans[-1].end_ms if spans else 0


def check_answers_heard_live(spans: list[Span], events: list[dict[str, Any]]) -> None:
    """Every recognised answer of the session lies on a stretch of customer sound."""
    for event in events:
        if event["type"] != "asr.Transcript" or not event["text"]:
            continue
        start_ms, end_ms = int(event["start"] * 1000), int(event["end"] * 1000)
        assert any(s.start_ms - EDGE_MS <= start_ms and end_ms <= s.end_ms + EDGE_MS
                   for s in spans), (
            f"transcript {event['text']!r} at {start_ms}-{end_ms} ms is not on any stretch of"
            f" customer sound in the recording: {[(s.start_ms, s.end_ms) for s in spans]}")


def check_answer_words(recording: Recording, spans: list[Span], texts: list[str],
                       engine: Any) -> list[str]:
    """Whisper on each customer stretch finds the words spoken there.

    Whisper base misreads a lone espeak syllable now and then (对 → 喂 in about one window in
    six, measured on the answer WAV at random offsets), so a free decode alone makes the check
    a coin toss. Each stretch must give some text, and at least MIN_RECOGNISED of the answers
    must be recognised: a free decode within MAX_ANSWER_CER of what the peer said, or a closed
    listen in which the spoken text is the likeliest of itself, the free decode and
    OTHER_ANSWERS. `engine` is a loaded asr WhisperEngine; returns what it heard.
    """
    heard, right = [], 0
    for span, text in zip(spans, texts, strict=True):
        start = max(0, (span.start_ms - EDGE_MS) * recording.rate // 1000)
        end = (span.end_ms + EDGE_MS) * recording.rate // 1000
        pcm = np.clip(recording.customer[start:end], -32768, 32767).astype(np.int16)
        said, _ = engine.transcribe(pcm)
        assert said, f"{recording.path}: Whisper hears nothing at {span.start_ms} ms"
        heard.append(said)
        right += _recognised(engine, pcm, text, said)
    assert right >= MIN_RECOGNISED * len(texts), (
        f"{recording.path}: the customer said {texts}; Whisper on the recording hears {heard}"
        f" ({right} of {len(texts)} recognised)")
    return heard


def _recognised(engine: Any, pcm: npt.NDArray[np.int16], text: str, said: str) -> bool:
    """The free decode is close to `text`, or a closed listen finds `text` likeliest."""
    if character_error_rate([text], [said]) <= MAX_ANSWER_CER:
        return True
    rivals = [candidate for candidate in dict.fromkeys((said, *OTHER_ANSWERS))
              if candidate != text]
    scores = engine.score_texts(pcm, [text, *rivals])
    return bool(scores[0] > max(scores[1:]))


def check_recording(outcome: dict[str, Any], answers: list[Path] | None = None
                    ) -> tuple[Recording, list[Span]]:
    """Both channels of a finished call's recording, checked against its events.

    `answers` are the WAVs the peer spoke, in order (none for a keypad-only customer).
    Returns the recording and the customer's stretches of speech.
    """
    path = outcome["call"]["recording"]
    assert path, "the call has no recording"
    recording = read_recording(path)
    check_legs(recording, outcome["events"], answers or [])
    return recording, check_customer_channel(recording, answers or [])


def check_legs(recording: Recording, events: list[dict[str, Any]], answers: list[Path]) -> None:
    """The system and customer channel checks on one recording."""
    check_system_channel(recording, events)
    check_customer_channel(recording, answers)
    # The VAD starts an utterance where the voice rises above line silence (its min_rms),
    # a soft onset (我…) well before the loud part: judge its times against that same level.
    audible = sound_spans(recording.customer, recording.rate, threshold=QUIET_RMS)
    check_answers_heard_live(audible, events)


def spoken_answers(peer_events: list[dict[str, Any]]) -> list[Path]:
    """The WAVs a customer peer spoke, in order, from its `turn` lines."""
    return [Path(e["arg"]) for e in peer_events
            if e["event"] == "turn" and e["action"] == "say"]


def _windows(rms: Samples, start_ms: int, end_ms: int) -> Samples:
    first, last = max(0, start_ms // WINDOW_MS), max(0, end_ms // WINDOW_MS)
    return rms[first:last]


def _voiced_ms(answer: Path) -> int:
    """How long an answer WAV is loud, from its first to its last loud window."""
    clip = read_audio(answer)
    spans = sound_spans(clip.mono16k().astype(np.float64), 16000)
    return spans[-1].end_ms - spans[0].start_ms if spans else 0
