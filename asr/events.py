"""What a recogniser emits: partial and final transcripts with times (immutable events)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class TranscriptKind(StrEnum):
    """A partial is replaced by later results; a final is the utterance's text."""

    PARTIAL = "partial"
    FINAL = "final"


class TranscriptPass(StrEnum):
    """Which decoding produced a call's transcript."""

    LIVE = "live"  # utterance by utterance, as the call happened (what the agent saw)
    AFTER_CALL = "after_call"  # the whole recording after the call: long windows, context


@dataclass(frozen=True)
class Word:
    """One recognised word (or character group) with its times in seconds."""

    text: str
    start: float
    end: float
    confidence: float | None = None


@dataclass(frozen=True)
class Transcript:
    """Recognised text of one utterance, times in seconds from the start of the stream."""

    kind: TranscriptKind
    text: str
    start: float
    end: float
    leg: str | None = None
    words: tuple[Word, ...] = field(default=())

    @property
    def is_final(self) -> bool:
        """True for the utterance's final text."""
        return self.kind is TranscriptKind.FINAL


@dataclass(frozen=True)
class Undecodable:
    """A stretch the VAD heard as speech that no decode turned into text (seconds)."""

    start: float
    end: float
    leg: str | None = None


@dataclass(frozen=True)
class LegDecode:
    """One leg's transcript (finals in time order) and the speech it could not decode."""

    finals: tuple[Transcript, ...]
    undecodable: tuple[Undecodable, ...] = ()
