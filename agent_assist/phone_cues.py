"""Phone-number cues (号码线索): the cue type, its thresholds and how cues are ranked.

Cues, never verdicts: each is worded for the agent or reviewer as something to verify.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from agent_assist.events import Severity
from zhtext.phones import mask_phone


class PhoneCueKind(StrEnum):
    """Which pattern in the contact numbers a cue points at."""

    NUMBER_RANGE = "number_range"  # one salesperson's new policies on numbers in one 号段
    SHARED_NUMBER = "shared_number"  # one number for several unrelated policyholders
    CHANGED_AFTER_PURCHASE = "changed_after_purchase"  # number changed soon after signing


@dataclass(frozen=True, slots=True)
class PhoneCueSettings:
    """Thresholds of the three cues; the defaults follow callback-centre practice."""

    min_range_numbers: int = 3  # distinct numbers in one range for one salesperson
    range_window_days: int = 30  # those policies signed within this many days of each other
    min_mobile_holders: int = 2
    # A household landline (座机) commonly serves a couple, so a landline needs a third holder.
    min_landline_holders: int = 3
    change_window_days: int = 7  # a change this many days or fewer after signing


@dataclass(frozen=True, slots=True)
class PhoneCue:
    """A phone-number cue: the policies involved, their numbers, and a masked line to verify."""

    kind: PhoneCueKind
    severity: Severity
    policy_nos: tuple[str, ...]
    numbers: tuple[str, ...]  # canonical digits, for reviewers; never shown to agents unmasked
    span_days: int  # days from the first to the last event behind the cue
    message: str  # agent-facing: numbers masked

    def as_json(self) -> dict[str, Any]:
        """The cue as a JSON-ready dict, numbers masked as in the message."""
        return {
            "cue": self.kind.value,
            "severity": self.severity.value,
            "policies": list(self.policy_nos),
            "numbers": [mask_phone(number) for number in self.numbers],
            "span_days": self.span_days,
            "message": self.message,
        }


_SEVERITY_ORDER = {Severity.HIGH: 0, Severity.MEDIUM: 1, Severity.LOW: 2}


def graded(points: int) -> Severity:
    """Severity from points of concern: none is low, one medium, two or more high."""
    if points >= 2:
        return Severity.HIGH
    return Severity.MEDIUM if points == 1 else Severity.LOW


def ranked(cues: list[PhoneCue]) -> list[PhoneCue]:
    """Most urgent first: severity, then more policies, then a shorter time."""
    return sorted(
        cues, key=lambda c: (_SEVERITY_ORDER[c.severity], -len(c.policy_nos), c.span_days)
    )


def masked_list(numbers: tuple[str, ...]) -> str:
    """Numbers masked and joined with 、 for a message."""
    return "、".join(mask_phone(number) for number in numbers)
