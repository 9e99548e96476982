"""Recordings: each utterance decoded again with wider context, the characters voted.

At this model's limit a few hundred milliseconds more or less audio around an utterance flip
a near-homophone here and there, either way (BENCHMARKS.md). A recording can afford more than
one decode: every utterance is decoded again with each extra context (ms of audio before and
after the speech, never into a neighbour's speech nor past the leg) and `text_vote` keeps, unit
by unit, what most decodes agree on; the first decode wins ties.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from asr.codec import PIPELINE_RATE, Pcm16
from asr.events import LegDecode, Transcript, TranscriptKind, Undecodable, Word
from asr.text_vote import vote

# An extra context: milliseconds of audio kept before and after the VAD's speech.
Context = tuple[int, int]
# Decodes one stretch of audio (its offset in seconds) to text, the same on every run.
Decode = Callable[[Pcm16, float], str]


def parse_contexts(spec: str) -> tuple[Context, ...]:
    """'300:300,500:500' → ((300, 300), (500, 500)); ValueError naming the bad part."""
    contexts = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        before, sep, after = part.partition(":")
        if not sep or not before.isdigit() or not after.isdigit():
            raise ValueError(f"context {part!r} is not BEFORE_MS:AFTER_MS (e.g. 300:300)")
        contexts.append((int(before), int(after)))
    return tuple(contexts)


def vote_leg(decoded: LegDecode, samples: Pcm16, decode: Decode,
             contexts: Sequence[Context]) -> LegDecode:
    """The leg's finals with every utterance's text voted across its extra contexts."""
    if not contexts:
        return decoded
    heard: list[Transcript | Undecodable] = sorted([*decoded.finals, *decoded.undecodable],
                                                   key=lambda u: (u.start, u.end))
    spans = [(u.start, u.end) for u in heard]
    finals, lost = [], []
    for item in heard:
        texts = [decode(*_cut(samples, spans, item.start, item.end, c)) for c in contexts]
        text = vote(item.text if isinstance(item, Transcript) else "", texts)
        if not text:  # reported with its span, never silently dropped
            lost.append(Undecodable(item.start, item.end, item.leg))
        elif isinstance(item, Transcript):
            finals.append(_revised(item, text))
        else:
            finals.append(Transcript(TranscriptKind.FINAL, text, item.start, item.end, item.leg))
    return LegDecode(tuple(finals), tuple(lost))


def _cut(samples: Pcm16, spans: list[tuple[float, float]], start: float, end: float,
         context: Context) -> tuple[Pcm16, float]:
    """The utterance with its extra context, bounded by the neighbours' speech and the leg."""
    before = max((e for _s, e in spans if e <= start), default=0.0)
    after = min((s for s, _e in spans if s >= end), default=len(samples) / PIPELINE_RATE)
    lo = max(before, start - context[0] / 1000)
    hi = min(after, end + context[1] / 1000)
    first, last = round(lo * PIPELINE_RATE), round(hi * PIPELINE_RATE)
    return samples[first:last], first / PIPELINE_RATE


def _revised(final: Transcript, text: str) -> Transcript:
    """The final with the voted text; its timing now one piece over the utterance."""
    if text == final.text:
        return final
    return replace(final, text=text, words=(Word(text, final.start, final.end),))
