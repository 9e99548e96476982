"""LiveCallFeed: what one call publishes, from transcripts and callback-session events."""

from __future__ import annotations

from typing import Any

import pytest

from agent_assist.engine import AssistFactory
from agent_assist.events import Flag, Hint
from asr.events import Transcript, TranscriptKind
from huifang.callback.events import PromptPlayed
from huifang.live.call_feed import LiveCallFeed
from ivr.prompt import PromptEnd
from scripts_zh.dialogue_events import ItemConfirmed, PromptPurpose

SAID = "业务员说这个保本保息，每年都有分红"


@pytest.fixture(scope="module")
def assist() -> AssistFactory:
    return AssistFactory()


class Screen:
    """Collects what the feed publishes, as the bus would hand it on."""

    def __init__(self) -> None:
        self.events: list[tuple[int, Any]] = []

    def publish(self, call_id: int, event: Any) -> None:
        self.events.append((call_id, event))

    def of(self, kind: type) -> list[Any]:
        return [event for _, event in self.events if isinstance(event, kind)]


def _said(kind: TranscriptKind, text: str, start: float = 3.0, end: float = 6.0,
          leg: str = "customer") -> Transcript:
    return Transcript(kind, text, start, end, leg)


def test_a_final_misleading_statement_publishes_its_flag_and_hint(assist: AssistFactory) -> None:
    screen = Screen()
    feed = LiveCallFeed(7, screen.publish, assist)
    feed.on_transcript(_said(TranscriptKind.FINAL, SAID))
    assert {call_id for call_id, _ in screen.events} == {7}
    (hint,) = screen.of(Hint)
    assert hint.flag.rule_id == "induce.guaranteed_return"
    assert hint.flag.leg == "customer" and hint.suggested_wording
    assert len(screen.of(Flag)) == 1
    live, _ = feed.end()
    assert [flag.rule_id for flag in live] == ["induce.guaranteed_return"]


def test_a_partial_raises_the_hint_early_and_the_final_does_not_repeat_it(
        assist: AssistFactory) -> None:
    screen = Screen()
    feed = LiveCallFeed(7, screen.publish, assist)
    feed.on_transcript(_said(TranscriptKind.PARTIAL, "业务员说这个保本保息", end=4.5))
    assert len(screen.of(Hint)) == 1  # before the customer has finished
    feed.on_transcript(_said(TranscriptKind.FINAL, SAID))
    assert len(screen.of(Hint)) == 1 and len(screen.of(Flag)) == 1
    (stored,), _ = feed.end()
    assert stored.text == SAID  # the final's words are what is stored


def test_the_same_rule_on_another_utterance_is_a_new_hint(assist: AssistFactory) -> None:
    screen = Screen()
    feed = LiveCallFeed(7, screen.publish, assist)
    feed.on_transcript(_said(TranscriptKind.FINAL, SAID))
    feed.on_transcript(_said(TranscriptKind.FINAL, "他又说保本保息", start=9.0, end=11.0))
    assert len(screen.of(Hint)) == 2
    assert len(feed.end()[0]) == 2


def test_harmless_words_and_empty_results_raise_nothing(assist: AssistFactory) -> None:
    screen = Screen()
    feed = LiveCallFeed(7, screen.publish, assist)
    feed.on_transcript(_said(TranscriptKind.FINAL, "对，我是本人"))
    feed.on_transcript(_said(TranscriptKind.FINAL, ""))
    assert screen.of(Hint) == [] and len(screen.of(Transcript)) == 2


def test_a_callback_session_shows_its_prompts_as_the_agent_leg_and_its_verdicts(
        assist: AssistFactory) -> None:
    screen = Screen()
    feed = LiveCallFeed(7, screen.publish, assist)
    feed.on_session_event(PromptPlayed("请问您是王秀英女士本人吗？", PromptPurpose.ASK,
                                       "identity_name", "/tmp/p.wav", 1000, 3500,
                                       PromptEnd.FINISHED))
    feed.on_session_event(_said(TranscriptKind.FINAL, "是的"))
    feed.on_session_event(ItemConfirmed("identity_name", 1, ()))
    said = screen.of(Transcript)
    assert [(t.leg, t.text, t.start, t.end) for t in said] == [
        ("agent", "请问您是王秀英女士本人吗？", 1.0, 3.5), ("customer", "是的", 3.0, 6.0)]
    assert screen.of(ItemConfirmed) == [ItemConfirmed("identity_name", 1, ())]


def test_the_finals_the_agent_saw_are_kept_for_the_live_transcript(
        assist: AssistFactory) -> None:
    feed = LiveCallFeed(7, Screen().publish, assist)
    feed.on_transcript(_said(TranscriptKind.PARTIAL, "业务员说"))
    feed.on_transcript(_said(TranscriptKind.FINAL, SAID))
    feed.on_transcript(_said(TranscriptKind.FINAL, "", 7.0, 7.5, "agent"))  # heard, no text
    assert [(t.text, t.leg) for t in feed.heard] == [(SAID, "customer"), ("", "agent")]
