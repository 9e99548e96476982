"""Answer understanding per class: negation, fillers, dialect, homophones and the keypad."""

from __future__ import annotations

import pytest

from scripts_zh.answer_class import AnswerClass
from scripts_zh.answer_classifier import classify_answer, classify_dtmf
from scripts_zh.answer_lexicon import SHORT_ANSWERS
from scripts_zh.phrase_match import syllables_near

A = AnswerClass


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("是的", A.AFFIRMATIVE),
        ("嗯嗯", A.AFFIRMATIVE),
        ("对对对", A.AFFIRMATIVE),
        ("是的呀", A.AFFIRMATIVE),
        ("晓得", A.AFFIRMATIVE),
        ("没得问题", A.AFFIRMATIVE),
        ("中", A.AFFIRMATIVE),
        ("行", A.AFFIRMATIVE),
        ("呃，那个，清楚的", A.AFFIRMATIVE),
        ("沒問題", A.AFFIRMATIVE),  # traditional characters from the recogniser
        ("不是", A.NEGATIVE),
        ("我没签字", A.NEGATIVE),
        ("对，我没签", A.NEGATIVE),
        ("不是我签的，是业务员帮我签的", A.NEGATIVE),
        ("不太清楚", A.UNSURE),
        ("不知道", A.UNSURE),
        ("应该是吧", A.UNSURE),
        ("是我签的，但是没看内容", A.UNSURE),
        ("什么是犹豫期", A.QUESTION),
        ("你再说一遍", A.QUESTION),
        ("转人工", A.HUMAN),
        ("有没有真人", A.HUMAN),
        ("我要退保", A.SURRENDER_OR_COMPLAINT),
        ("业务员骗我", A.SURRENDER_OR_COMPLAINT),
        ("清楚，我要退保", A.SURRENDER_OR_COMPLAINT),
        ("我在开车", A.OTHER),
        ("好热啊", A.OTHER),
        ("", A.OTHER),
    ],
)
def test_classes(text: str, expected: AnswerClass) -> None:
    assert classify_answer(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("不是不清楚", A.AFFIRMATIVE),  # a double negation: the customer understands
        ("没有不清楚的", A.AFFIRMATIVE),
        ("没有什么不懂的", A.AFFIRMATIVE),
        ("谁说我不清楚，我清楚得很", A.AFFIRMATIVE),
        ("不太清楚", A.UNSURE),
        ("不是很清楚", A.UNSURE),  # 不是 + 很: a hedge, not a double negation
        ("不是太明白", A.UNSURE),
        ("没大听明白", A.UNSURE),
        ("退保有损失我知道的", A.AFFIRMATIVE),  # talks about 退保, does not ask for it
        ("我不想退保", A.NEGATIVE),
    ],
)
def test_negation_scope(text: str, expected: AnswerClass) -> None:
    assert classify_answer(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("清处", A.AFFIRMATIVE),  # 清楚
        ("我是北人", A.AFFIRMATIVE),  # 本人, a near syllable (ben ~ bei)
        ("知到", A.AFFIRMATIVE),
        ("市的", A.AFFIRMATIVE),  # 是的 by sound when it is the whole answer
        ("布清楚", A.UNSURE),  # 不清楚: the negator is heard in a homophone too
        ("部知道", A.UNSURE),
        ("部是", A.NEGATIVE),
        ("全部都清楚", A.AFFIRMATIVE),  # 全部 is a word, not 不
        ("差不多吧", A.UNSURE),  # near syllables never manufacture a negator (不多 ≠ 不对)
        ("转人公", A.HUMAN),
        ("我要推保", A.SURRENDER_OR_COMPLAINT),
        ("神么意思", A.QUESTION),
    ],
)
def test_homophones(text: str, expected: AnswerClass) -> None:
    assert classify_answer(text) is expected


def test_near_syllables() -> None:
    assert syllables_near("ben", "bei") and syllables_near("qing", "qin")
    assert syllables_near("zhi", "zi")
    assert not syllables_near("gen", "gong") and not syllables_near("bu", "ba")


@pytest.mark.parametrize(
    ("digit", "expected"),
    [("1", A.AFFIRMATIVE), ("2", A.NEGATIVE), ("0", A.HUMAN), ("9", A.OTHER), ("#", A.OTHER)],
)
def test_keypad_fallback(digit: str, expected: AnswerClass) -> None:
    assert classify_dtmf(digit) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("不小的", A.UNSURE),  # 不晓得, heard as a whole short answer by sound
        ("部队", A.NEGATIVE),
        ("小灯", A.OTHER),  # 晓得 by sound, but a sound-alike alone never confirms
        ("碎头", A.OTHER),
        ("好热啊", A.OTHER),
        ("退的", A.OTHER),  # 退 is never rewritten into 对
        ("转接一下", A.HUMAN),
        ("那个，有人工吗", A.HUMAN),
    ],
)
def test_short_answers_by_sound(text: str, expected: AnswerClass) -> None:
    assert classify_answer(text) is expected


def test_every_short_answer_is_understood_when_written_right() -> None:
    for cls, words in SHORT_ANSWERS.items():
        for word in words:
            assert classify_answer(word) is cls, word


PAYMENT_QUESTION = "您这份保单的缴费方式是年交，缴费期间为10年，每期保费5000元。请问您清楚吗？"


@pytest.mark.parametrize("text", ["对，我在吃饭呢", "是的，交五年", "没错，回事",
                                  "是的，保单收到了", "知道，你们是保险公司", "嗯嗯，你说"])
def test_a_yes_beside_words_nobody_read_is_asked_again(text: str) -> None:
    """A correction, another matter or a misheard negation stands beside the yes."""
    assert classify_answer(text) is AnswerClass.OTHER


@pytest.mark.parametrize("text", ["喂，是的", "那个，是我签的", "嗯，知道了，谢谢你",
                                  "是的是的，我自己签的"])
def test_a_yes_with_only_fillers_or_other_yeses_is_a_yes(text: str) -> None:
    assert classify_answer(text) is AnswerClass.AFFIRMATIVE


@pytest.mark.parametrize(("text", "expected"), [
    ("晓得，交十年嘛", AnswerClass.AFFIRMATIVE),  # repeats the question
    ("十年，对", AnswerClass.AFFIRMATIVE),
    ("对，五千块", AnswerClass.AFFIRMATIVE),
    ("对，交五年", AnswerClass.OTHER),  # a number the question does not hold: a correction
    ("对，交五个月", AnswerClass.OTHER),  # 五 is not the 五千 asked: numbers compare whole
    ("对，我在吃饭呢", AnswerClass.OTHER),
])
def test_a_clause_that_repeats_the_question_is_read(text: str, expected: AnswerClass) -> None:
    assert classify_answer(text, PAYMENT_QUESTION) is expected
    assert classify_answer(text) in (expected, AnswerClass.OTHER)  # without it: asked again


def test_without_the_rule_a_yes_beside_anything_is_a_yes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The bench's --whole-yes off: how it read before."""
    from scripts_zh import answer_classifier

    monkeypatch.setattr(answer_classifier, "WHOLE_YES", False)
    assert classify_answer("对，我在吃饭呢") is AnswerClass.AFFIRMATIVE


SIGNING_QUESTION = "请问投保单上的签名是您本人亲笔签的吗？"


@pytest.mark.parametrize("text", ["是的保安收到了", "没错彩怪", "是我老公仙的",
                                  "知道你们是保险公司", "是的我想推掉", "直到个傻"])
def test_a_yes_that_goes_on_with_unread_words_in_one_clause_is_asked_again(text: str) -> None:
    """Whisper writes no comma in a short answer: the words after the yes are read too."""
    assert classify_answer(text) is AnswerClass.OTHER
    assert classify_answer(text, SIGNING_QUESTION) is AnswerClass.OTHER


@pytest.mark.parametrize("text", ["听明白了", "讲清楚了", "清清楚楚", "是俺签的", "我已经都看过了",
                                  "确实很清楚", "你说的这些我都清楚", "我自己签的名",
                                  "说明书我看过了", "退保有损失我知道的", "业务员跟我讲过好几次了"])
def test_a_yes_said_with_how_who_or_its_topic_first_is_a_yes(text: str) -> None:
    """Degree, time, the verb a knowing word completes, who, and a topic before the yes."""
    assert classify_answer(text) is AnswerClass.AFFIRMATIVE


def test_words_after_the_yes_that_repeat_the_question_are_read() -> None:
    assert classify_answer("对的投保单上", SIGNING_QUESTION) is AnswerClass.AFFIRMATIVE
    assert classify_answer("对的投保单上") is AnswerClass.OTHER  # without it: asked again
    assert classify_answer("是我老公签名", SIGNING_QUESTION) is AnswerClass.NEGATIVE


def test_without_the_rest_rule_a_yes_clause_is_read_by_its_yes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The bench's --yes-rest off: how it read before."""
    from scripts_zh import answer_classifier

    monkeypatch.setattr(answer_classifier, "YES_REST_READ", False)
    assert classify_answer("是的保安收到了") is AnswerClass.AFFIRMATIVE
