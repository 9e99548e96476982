"""The second listen's decision: an expected answer instead of an unclear text, a yes only
with a clear lead."""

from __future__ import annotations

import pytest

from scripts_zh.answer_class import AnswerClass
from scripts_zh.answer_hearing import (
    CANDIDATES,
    PRIOR,
    YES_MARGIN,
    hear_answer,
    second_listen,
)

A = AnswerClass


def scores_for(heard: str, heard_score: float, **answers: float) -> list[float]:
    """Scores in second_listen order: every answer far below unless given."""
    texts = second_listen(heard)
    assert texts[0] == heard
    return [heard_score, *(answers.get(text, -40.0) for text in texts[1:])]


def test_an_understood_text_needs_no_second_listen() -> None:
    assert second_listen("是的") == ()
    assert hear_answer("是的", None) is A.AFFIRMATIVE
    assert second_listen("") == CANDIDATES


def test_an_expected_answer_nearly_as_likely_as_the_heard_text_is_taken() -> None:
    scores = scores_for("碎头", -6.0, 对头=-6.0 - PRIOR + 0.5, 不是=-6.0 - PRIOR - YES_MARGIN)
    assert hear_answer("碎头", scores) is A.AFFIRMATIVE
    scores = scores_for("铺到", -8.0, 不知道=-7.0, 不是=-7.5)
    assert hear_answer("铺到", scores) is A.UNSURE


def test_a_yes_needs_a_clear_lead_over_every_other_class() -> None:
    scores = scores_for("多谢", -9.0, 好的=-6.0, 不是=-6.0 - YES_MARGIN + 0.5)
    assert hear_answer("多谢", scores) is A.OTHER


def test_a_heard_text_much_likelier_than_any_answer_stays_unclear() -> None:
    scores = scores_for("我在开会", -0.6, 对=-12.0)
    assert hear_answer("我在开会", scores) is A.OTHER


def test_scores_must_match_the_texts() -> None:
    with pytest.raises(ValueError, match="scores for"):
        hear_answer("碎头", [-1.0, -2.0])
