"""Shared test material for scripts_zh: a policy record and a scripted call timeline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from scripts_zh.dialogue import CallbackDialogue
from scripts_zh.dialogue_events import DialogueEvent
from scripts_zh.policy import PolicyRecord, ProductFamily
from scripts_zh.script_loader import script_for

INVESTMENT_FAMILIES = (
    ProductFamily.PARTICIPATING,
    ProductFamily.UNIVERSAL,
    ProductFamily.UNIT_LINKED,
)


def make_policy(**changes: object) -> PolicyRecord:
    """A regular-premium 分红 policy of a 59-year-old policyholder; fields overridable."""
    policy = PolicyRecord(
        policy_no="P2024000123",
        family=ProductFamily.PARTICIPATING,
        product_name="鑫福年年两全保险（分红型）",
        holder_name="王秀英",
        holder_title="女士",
        holder_birth_date=date(1965, 3, 8),
        holder_id_last4="402X",
        insured_name="王秀英",
        premium_yuan=5000,
        payment_years=10,
        payment_frequency="年交",
        company="康宁人寿",
        salesperson_name="李明",
    )
    return replace(policy, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Say:
    """The customer speaks from start_ms to end_ms (as the recogniser reports it)."""

    start_ms: int
    end_ms: int
    text: str


@dataclass(frozen=True)
class Key:
    """The customer presses a key at at_ms."""

    at_ms: int
    digit: str


@dataclass(frozen=True)
class Silence:
    """The answer timeout fires at at_ms."""

    at_ms: int


@dataclass(frozen=True)
class HangUp:
    """The customer hangs up at at_ms."""

    at_ms: int


Turn = Say | Key | Silence | HangUp


def run_call(policy: PolicyRecord, timeline: Sequence[Turn]) -> CallbackDialogue:
    """Drive a dialogue through a timeline as a transport would; returns it for inspection."""
    dialogue = CallbackDialogue(script_for(policy), policy)
    dialogue.start()
    for turn in timeline:
        _feed(dialogue, turn)
    return dialogue


def _feed(dialogue: CallbackDialogue, turn: Turn) -> list[DialogueEvent]:
    if isinstance(turn, Say):
        return dialogue.on_answer(turn.text, turn.start_ms, turn.end_ms)
    if isinstance(turn, Key):
        return dialogue.on_dtmf(turn.digit, turn.at_ms)
    if isinstance(turn, Silence):
        return dialogue.on_timeout(turn.at_ms)
    return dialogue.on_hangup(turn.at_ms)


def spoken(texts: Sequence[str], start_ms: int = 8_000, gap_ms: int = 6_000) -> list[Turn]:
    """One answer per text, each 1.2 s long, one every gap_ms."""
    return [
        Say(start_ms + i * gap_ms, start_ms + i * gap_ms + 1_200, text)
        for i, text in enumerate(texts)
    ]
