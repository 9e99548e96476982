"""Rules loaded once for the whole agent_assist test run, and small helpers."""

from __future__ import annotations

from functools import lru_cache

from agent_assist.engine import AssistFactory
from agent_assist.events import Flag, Leg, Utterance
from agent_assist.misleading_sale import MisleadingSaleDetector


@lru_cache(maxsize=1)
def factory() -> AssistFactory:
    """The default rules, loaded once."""
    return AssistFactory()


def detector() -> MisleadingSaleDetector:
    """The detector over the default rules."""
    return factory().detector


def flags(text: str, leg: Leg = Leg.CUSTOMER) -> list[Flag]:
    """Flags for one final utterance."""
    return detector().analyse(Utterance(leg=leg, text=text, start=1.0, end=2.5))


def rule_ids(text: str, leg: Leg = Leg.CUSTOMER) -> set[str]:
    """The ids of the rules that fired on one utterance."""
    return {flag.rule_id for flag in flags(text, leg)}
