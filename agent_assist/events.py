"""The immutable events agent_assist takes (Utterance) and gives (Flag, Hint, VoiceCue)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

import numpy as np
import numpy.typing as npt


class Leg(StrEnum):
    """Which side of the callback spoke: the policyholder's line or the callback agent's."""

    CUSTOMER = "customer"
    AGENT = "agent"


class Category(StrEnum):
    """Misleading-sale categories (人身保险销售误导行为认定指引)."""

    DECEPTION = "欺骗"
    CONCEALMENT = "隐瞒"
    INDUCEMENT = "诱导"
    PROCESS_VIOLATION = "违规操作"


class Severity(StrEnum):
    """How urgently a reviewer should look at a flag."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@dataclass(frozen=True, slots=True)
class Utterance:
    """One recognised stretch of speech on one leg; only final ones are analysed."""

    leg: Leg
    text: str
    start: float = 0.0
    end: float = 0.0
    final: bool = True


@dataclass(frozen=True, slots=True)
class AudioFrame:
    """A piece of one leg's live audio: mono PCM16 samples (16 kHz unless said otherwise)."""

    leg: Leg
    samples: npt.NDArray[np.int16]
    sample_rate: int = 16000


@dataclass(frozen=True, slots=True)
class Flag:
    """Evidence that a rule fired: which rule, on whose words, where in the text and the call."""

    rule_id: str
    category: Category
    subcategory: str
    severity: Severity
    leg: Leg
    text: str
    start: float
    end: float
    span: tuple[int, int]
    explanation: str
    suggested_wording: str = ""
    attributed: bool = False
    via_pinyin: bool = False

    @property
    def matched(self) -> str:
        """The characters of the utterance the rule matched."""
        return self.text[self.span[0] : self.span[1]]

    @classmethod
    def from_rule(cls, rule: FlaggingRule, utterance: Utterance, span: tuple[int, int],
                  *, attributed: bool = False, via_pinyin: bool = False) -> Flag:
        """The flag a rule raises on an utterance, with the rule's wording for the agent."""
        return cls(rule_id=rule.id, category=rule.category, subcategory=rule.subcategory,
                   severity=rule.severity, leg=utterance.leg, text=utterance.text,
                   start=utterance.start, end=utterance.end, span=span,
                   explanation=rule.explanation, suggested_wording=rule.suggested_wording,
                   attributed=attributed, via_pinyin=via_pinyin)


class FlaggingRule(Protocol):
    """What a flag takes from the rule that raised it (real-time and whole-call rules alike)."""

    @property
    def id(self) -> str: ...

    @property
    def category(self) -> Category: ...

    @property
    def subcategory(self) -> str: ...

    @property
    def severity(self) -> Severity: ...

    @property
    def explanation(self) -> str: ...

    @property
    def suggested_wording(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Hint:
    """A line for the agent's screen: what was heard and what to say about it."""

    flag: Flag
    message: str
    suggested_wording: str


class CueKind(StrEnum):
    """Identity cues from the voice (身份核实提示): things to verify, never verdicts."""

    GENDER_MISMATCH = "gender_mismatch"
    AGE_MISMATCH = "age_mismatch"
    VOICE_CHANGER = "voice_changer"
    DUPLICATE_VOICE = "duplicate_voice"


@dataclass(frozen=True, slots=True)
class VoiceCue:
    """A voice-based identity cue for one leg: the agent's line and the measurements behind it."""

    kind: CueKind
    severity: Severity
    leg: Leg
    message: str
    reasons: tuple[str, ...]
    confidence: float = 0.0
    # A duplicate voice's other policies with their similarity, for storage and review.
    other_policies: tuple[tuple[str, float], ...] = ()
    # The stretch of the leg's audio measured (seconds from the leg's start); 0, 0: unknown.
    start: float = 0.0
    end: float = 0.0


class TranscriptLike(Protocol):
    """What any recogniser's transcript event offers (asr's Transcript has these fields)."""

    @property
    def text(self) -> str: ...

    @property
    def start(self) -> float: ...

    @property
    def end(self) -> float: ...


def as_utterance(event: Utterance | TranscriptLike) -> Utterance:
    """Adapt a transcript event from asr/ (or an Utterance) to an Utterance."""
    if isinstance(event, Utterance):
        return event
    # asr's transcripts of an unlabelled stream carry leg None: take them as the customer's.
    leg = Leg(str(getattr(event, "leg", None) or Leg.CUSTOMER))
    final = bool(getattr(event, "final", getattr(event, "is_final", True)))
    return Utterance(leg=leg, text=event.text, start=event.start, end=event.end, final=final)
