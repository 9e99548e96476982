"""The one adapter from scripts_zh's dialogue events to stored item answers with evidence."""

from __future__ import annotations

from collections.abc import Iterable

from scripts_zh.dialogue_events import (
    CallEnded,
    DialogueEvent,
    Evidence,
    ItemConfirmed,
    ProblemItem,
)
from storage.models import AnswerEvidence, ItemAnswer, Verdict


def item_answers_from_events(events: Iterable[DialogueEvent]) -> list[ItemAnswer]:
    """An ItemAnswer (with its evidence) per confirmed or problem step; other events add nothing.

    Prompts, the answers as heard turn by turn, transfers and the end are either in the
    evidence already or belong to the call (see dialogue_outcome).
    """
    answers: list[ItemAnswer] = []
    for event in events:
        if isinstance(event, ItemConfirmed):
            answers.append(_answer(event.step_id, event.item, Verdict.CONFIRMED, event.evidence))
        elif isinstance(event, ProblemItem):
            answer = _answer(event.step_id, event.item, Verdict.PROBLEM, event.evidence)
            answer.reason = event.reason.value
            answer.problem_kind = event.problem_kind
            answer.topic = event.topic
            answers.append(answer)
    return answers


def dialogue_outcome(events: Iterable[DialogueEvent]) -> str | None:
    """The outcome of the CallEnded event, None if the dialogue never ended."""
    ended = [event for event in events if isinstance(event, CallEnded)]
    return ended[-1].outcome.value if ended else None


def _answer(
    step_id: str, item: int | None, verdict: Verdict, evidence: tuple[Evidence, ...]
) -> ItemAnswer:
    """A new ItemAnswer with its evidence numbered in the order heard."""
    return ItemAnswer(
        step_id=step_id,
        item=item,
        verdict=verdict,
        evidence=[_evidence(seq, heard) for seq, heard in enumerate(evidence)],
    )


def _evidence(seq: int, heard: Evidence) -> AnswerEvidence:
    return AnswerEvidence(
        seq=seq,
        text=heard.text,
        start_ms=heard.start_ms,
        end_ms=heard.end_ms,
        source=heard.source.value,
        answer_class=heard.answer_class.value if heard.answer_class else None,
    )
