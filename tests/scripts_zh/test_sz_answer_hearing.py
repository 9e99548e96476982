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


def test_an_utterance_longer_than_any_expected_answer_is_not_listened_to_again() -> None:
    heard = "今天天气不错我们"  # eight syllables: no expected answer is that long
    assert second_listen(heard) == ()
    assert hear_answer(heard, None) is A.OTHER


def test_a_yes_never_comes_from_a_heard_text_longer_than_any_yes() -> None:
    heard = "美型书棍说"  # five syllables: longer than 是我签的
    scores = scores_for(heard, -9.0, 对=-5.0)
    assert hear_answer(heard, scores) is A.OTHER


def test_a_longer_non_yes_beginning_like_a_yes_outweighs_the_short_yes() -> None:
    # 对，没人说过 heard as 美型书棍: the whole negative explains the audio better than 对 alone
    scores = scores_for("美型书棍", -12.0, 对=-8.0, 没人说过=-9.0, **{"对，没人说过": -7.5})
    assert hear_answer("美型书棍", scores) is A.NEGATIVE
    scores = scores_for("交通进程", -12.0, 知道=-8.0, 找懂行的=-7.0)
    assert hear_answer("交通进程", scores) is A.HUMAN


def test_a_yes_that_a_sound_alike_negator_would_undo_is_not_a_yes() -> None:
    from scripts_zh.answer_classifier import classify_answer

    assert classify_answer("每人说过") is A.NEGATIVE  # 没人说过, heard with 每
    assert classify_answer("对，美人说过") is A.NEGATIVE
    # 每 before a measure word (the first clause repeats the question, so it is read)
    assert classify_answer("每年交一次，我知道", "您是每年交一次，对吗？") is A.AFFIRMATIVE
    assert classify_answer("全部都清楚") is A.AFFIRMATIVE


def test_a_yes_must_have_the_heard_texts_syllable_count() -> None:
    # 转人工 heard as 再研工: a one-syllable 是 scores higher than three syllables but cannot
    # explain them; 人工 (another class) still competes, at any length
    scores = scores_for("再研工", -17.7, 是=-8.7, 可以=-10.5, 人工=-12.0)
    assert hear_answer("再研工", scores) is A.HUMAN
    scores = scores_for("碎头", -6.0, 是=-2.0, 对头=-6.0, 不是=-6.0 - YES_MARGIN - 0.5)
    assert hear_answer("碎头", scores) is A.AFFIRMATIVE  # 对头, not 是


def test_a_lone_interjection_is_not_listened_to_again() -> None:
    assert second_listen("嗨") == ()  # 啊？ heard as 嗨: a sound, not a misheard 行
    assert second_listen("哦？") == ()
    assert second_listen("嗨转") != ()


def test_nothing_heard_is_never_a_yes() -> None:
    """An empty decode gave no words to hear a yes in: asked again; a clear no is still taken."""
    yes = [-2.0 if text == "是的" else -30.0 - index for index, text in enumerate(CANDIDATES)]
    assert hear_answer("", yes) is A.OTHER
    no = [-2.0 if text == "不是" else -30.0 - index for index, text in enumerate(CANDIDATES)]
    assert hear_answer("", no) is A.NEGATIVE
