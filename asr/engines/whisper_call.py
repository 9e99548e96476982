"""The after-call pass: a whole leg decoded in long windows, the context carried across them.

A live leg decodes each utterance alone the moment the VAD closes it; a recording analysed
after the call can afford more. Here the VAD's speech stretches are joined into windows
(stretches less than `join_gap_s` apart share one), faster-whisper decodes all windows in one
run with timestamp tokens and the text so far as its prompt (condition_on_previous_text), so a
sentence the VAD cut in two is heard whole and names heard earlier help later. Nothing the VAD
heard is left out: a stretch no decoded segment covers is decoded again alone (the live way),
and if that gives nothing either it is reported undecodable with its time span.

Deterministic: one beam search per window (HUIFANG_AFTER_CALL_FALLBACK: a doubtful window is
sampled at rising temperatures as faster-whisper does, seeded from the window's audio), times
from sample counts, no clock and no speculation, so a file gives the same text on every run.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np

from asr.codec import PIPELINE_RATE, Pcm16, pcm16_to_float
from asr.events import LegDecode, Transcript, TranscriptKind, Undecodable, Word
from asr.vad import VadConfig, VadEventKind, VadSegmenter

Span = tuple[int, int]  # [start, end) in samples
MAX_CHARS_PER_S = 12  # Mandarin runs at 4-6 characters a second
PROMPT_CHARS = 60  # the leg's recent text given as the next window's prompt
# A decode of one stretch the window pass missed: (text, timed words).
StretchDecoder = Callable[[Pcm16, float], tuple[str, tuple[Word, ...]]]
Cleaner = Callable[[str], str]
# Within it, sampled decodes are seeded from the given samples (whisper_seeded.py).
SeededContext = Callable[[np.ndarray], AbstractContextManager[None]]


@dataclass(frozen=True)
class CallPassOptions:
    """How the after-call pass windows and decodes a leg."""

    join_gap_s: float = 2.0  # speech stretches closer than this share a window
    max_window_s: float = 28.0  # one encoder pass (30 s) per window: no seam inside it
    carry_context: bool = False  # the leg's text so far is the next window's prompt
    whole_leg: bool = False  # one decode of the whole leg, as a plain whole-file decode does
    pad_s: float = 0.3  # audio kept around each window (not across the next one's)
    beam_size: int = 5
    patience: float = 1.0
    language: str = "zh"
    initial_prompt: str | None = None
    hotwords: str | None = None
    compression_ratio_threshold: float = 2.4
    no_speech_threshold: float | None = 0.6
    log_prob_threshold: float | None = -1.0
    # (0.0,): one beam search per window. More: faster-whisper's fallback, sampled with a
    # seed taken from the window's audio (the `seeded` context decode_leg is given).
    temperatures: tuple[float, ...] = (0.0,)


def speech_spans(samples: Pcm16, vad: VadConfig) -> list[Span]:
    """The stretches the VAD hears as speech, in samples (the same VAD as a live leg)."""
    segmenter = VadSegmenter(vad)
    events = [*segmenter.push(samples), *segmenter.flush()]
    return [(e.start_sample, e.end_sample) for e in events
            if e.kind is VadEventKind.SPEECH_ENDED and e.end_sample > e.start_sample]


def windows(spans: list[Span], total: int, options: CallPassOptions) -> list[Span]:
    """Stretches joined across short gaps up to one window's length, padded, clipped.

    Padding is generous (speech the VAD judged too faint at a stretch's edges is still
    decoded) and never overlaps: where two windows' pads meet, the cut is mid-gap.
    """
    gap, pad = int(options.join_gap_s * PIPELINE_RATE), int(options.pad_s * PIPELINE_RATE)
    longest = int(options.max_window_s * PIPELINE_RATE) - 2 * pad
    joined: list[list[int]] = []
    for start, end in spans:
        if joined and start - joined[-1][1] <= gap and end - joined[-1][0] <= longest:
            joined[-1][1] = end
        else:
            joined.append([start, end])
    if not joined:
        return []
    pairs = list(pairwise(joined))
    middles = [(a[1] + b[0]) // 2 for a, b in pairs]
    starts = [max(0, joined[0][0] - pad),
              *(max(b[0] - pad, mid) for (_, b), mid in zip(pairs, middles, strict=True))]
    ends = [*(min(a[1] + pad, mid) for (a, _), mid in zip(pairs, middles, strict=True)),
            min(total, joined[-1][1] + pad)]
    return list(zip(starts, ends, strict=True))


def decode_leg(model: Any, samples: Pcm16, leg: str | None, vad: VadConfig,
               options: CallPassOptions, alone: StretchDecoder, clean: Cleaner,
               hallucination: Callable[[str], bool], seeded: SeededContext | None = None
               ) -> LegDecode:
    """The whole leg's finals (one per Whisper segment) and what stayed undecodable."""
    spans = speech_spans(samples, vad)
    voiced = _voiced_mask(spans, len(samples))
    finals: list[Transcript] = []
    spans_in = [(0, len(samples))] if options.whole_leg and spans else \
        windows(spans, len(samples), options)
    for first, last in spans_in:
        heard = "".join(t.text for t in finals)
        audio = samples[first:last]
        with seeded(audio) if seeded is not None else nullcontext():
            decoded = _decode_window(model, audio, options, heard)
        for text, start, end, logprob in decoded:
            text = clean(text)
            start, end = start + first / PIPELINE_RATE, end + first / PIPELINE_RATE
            end = min(end, last / PIPELINE_RATE)
            # A credit line Whisper invents over silence is dropped; said over speech it
            # stays. A runaway (零零零… to the token cap) is dropped: its stretches are decoded
            # alone below, and it never becomes the next window's prompt.
            if (not text or runaway(text, end - start, options.compression_ratio_threshold)
                    or (hallucination(text) and _voiced_share(voiced, start, end) < 0.5)):
                continue
            start, end = _snap(start, end, spans)
            words = (Word(text, start, end, logprob),)
            finals.append(Transcript(TranscriptKind.FINAL, text, start, end, leg, words))
    missed, lost = _second_chance(samples, spans, finals, leg, vad, alone)
    merged = sorted([*finals, *missed], key=lambda t: (t.start, t.end))
    return LegDecode(tuple(merged), tuple(lost))


def _decode_window(model: Any, audio: Pcm16, options: CallPassOptions, heard: str
                   ) -> list[tuple[str, float, float, float]]:
    """One window: (text, start, end, avg_logprob) per Whisper segment, times in the window.

    The leg's text so far (its last PROMPT_CHARS characters) is the prompt, after the
    configured initial prompt; inside a window longer than 30 s faster-whisper carries it on.
    """
    context = heard[-PROMPT_CHARS:] if options.carry_context else ""
    prompt = " ".join(p for p in (options.initial_prompt, context) if p) or None
    segments, _info = model.transcribe(
        pcm16_to_float(audio), language=options.language, beam_size=options.beam_size,
        patience=options.patience, temperature=list(options.temperatures),
        # Whole leg: faster-whisper's own 30 s windows carry the text on, as the plain decode.
        condition_on_previous_text=options.carry_context or options.whole_leg,
        without_timestamps=False,  # timed segments: the coverage check needs them
        vad_filter=False, initial_prompt=prompt,
        hotwords=options.hotwords,
        compression_ratio_threshold=options.compression_ratio_threshold,
        no_speech_threshold=options.no_speech_threshold,
        log_prob_threshold=options.log_prob_threshold,
    )
    return [(s.text, float(s.start), float(s.end), float(s.avg_logprob)) for s in segments]


def runaway(text: str, duration_s: float, max_ratio: float) -> bool:
    """A repetition loop: too compressible, or more characters than anyone says in the time."""
    return (compression_ratio(text) > max_ratio
            or len(text) > MAX_CHARS_PER_S * max(duration_s, 1.0))


def compression_ratio(text: str) -> float:
    """faster-whisper's repetitiveness measure: bytes over zlib-compressed bytes."""
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


def _second_chance(samples: Pcm16, spans: list[Span], finals: list[Transcript],
                   leg: str | None, vad: VadConfig, alone: StretchDecoder
                   ) -> tuple[list[Transcript], list[Undecodable]]:
    """Stretches no segment covers: decoded alone, or reported with their span."""
    missed, lost = [], []
    pad = int(vad.padding_ms * PIPELINE_RATE / 1000)
    trail = int(vad.trailing_ms * PIPELINE_RATE / 1000)
    for start, end in spans:
        s, e = start / PIPELINE_RATE, end / PIPELINE_RATE
        if any(t.start < e and t.end > s for t in finals):
            continue
        first = max(0, start - pad)
        text, words = alone(samples[first : min(len(samples), end + trail)],
                            first / PIPELINE_RATE)
        if text:
            missed.append(Transcript(TranscriptKind.FINAL, text, s, e, leg, words))
        else:
            lost.append(Undecodable(s, e, leg))
    return missed, lost


def _snap(start: float, end: float, spans: list[Span]) -> tuple[float, float]:
    """A segment's times narrowed to the speech the VAD heard inside them.

    Whisper's timestamps often start a segment at the window's start, in the padding; the
    VAD's are sample-exact. Where the VAD heard nothing inside, Whisper's times stand.
    """
    inside = [(a / PIPELINE_RATE, b / PIPELINE_RATE) for a, b in spans
              if a / PIPELINE_RATE < end and b / PIPELINE_RATE > start]
    if not inside:
        return start, end
    return max(start, inside[0][0]), min(end, inside[-1][1])


def _voiced_mask(spans: list[Span], total: int) -> np.ndarray[Any, np.dtype[np.bool_]]:
    mask = np.zeros(total, dtype=bool)
    for start, end in spans:
        mask[start:end] = True
    return mask


def _voiced_share(mask: np.ndarray[Any, np.dtype[np.bool_]], start: float, end: float) -> float:
    first, last = int(start * PIPELINE_RATE), int(end * PIPELINE_RATE)
    return float(mask[first:last].mean()) if last > first else 0.0
