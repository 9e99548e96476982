"""A second listen for an answer the text alone did not make clear: the question's answers,
scored against the audio.

The free decode of a one-word answer through the phone band is often a near-homophone (是的 →
去等, 对头 → 碎头, 了解 → 描接). When the heard text means nothing (the classifier says other),
the recogniser scores the heard text and the short answers a callback question expects against
the same audio (asr: `TextScorer.score_texts`); the likeliest answer is taken when it is nearly
as likely as the heard text (`PRIOR` nats: the question makes these answers likelier than any
free text) and clearly likelier than every answer of another class (`MARGIN`, and the wider
`YES_MARGIN` before a yes, the worst error). Nothing here touches audio: the caller scores.
"""

from __future__ import annotations

from collections.abc import Sequence

from scripts_zh import answer_classifier
from scripts_zh.answer_class import AnswerClass
from scripts_zh.answer_classifier import classify_answer
from scripts_zh.answer_model import AnswerModel

A = AnswerClass
# The answers a yes/no callback question expects, a few of the commonest per class, and the
# longer non-yeses that begin like a yes (对，没人说过; 找懂行的): without them a short yes
# could win on the start of a longer answer.
EXPECTED_ANSWERS: dict[AnswerClass, tuple[str, ...]] = {
    A.AFFIRMATIVE: ("是的", "是", "对", "对的", "对头", "嗯嗯", "好的", "行", "可以", "知道",
                    "知道了", "晓得", "清楚", "明白", "了解", "没问题", "是我", "本人", "签了",
                    "是我签的"),
    A.NEGATIVE: ("不是", "不对", "没有", "不是我", "没签", "没说过", "没人说过", "没人跟我说",
                 "对，没人说过", "我没签", "没讲过", "没签过", "不是我签的", "没这回事",
                 "没有啊"),
    A.UNSURE: ("不清楚", "不知道", "不晓得", "不记得了", "忘了", "记不清了", "想不起来",
               "好像是吧"),
    A.QUESTION: ("什么", "什么意思", "再说一遍", "没听清", "你说啥"),
    A.HUMAN: ("转人工", "人工", "真人", "找人工", "要人工", "我要转人工", "找个人",
              "找懂行的", "让真人跟我说", "叫真人", "有人工吗", "转接一下"),
    A.SURRENDER_OR_COMPLAINT: ("退保", "投诉", "我要退保", "退掉"),
}
_CLASS_OF = {text: cls for cls, texts in EXPECTED_ANSWERS.items() for text in texts}
CANDIDATES = tuple(_CLASS_OF)
PRIOR = 1.0  # nats an expected answer may fall short of the heard text and still be taken
MARGIN = 0.0  # nats the likeliest answer must lead every answer of another class by
YES_MARGIN = 3.0  # ... when it is a yes (2.0 let 嗯？ and 听不清 through as yeses)
# Only an utterance short enough to be one of the expected answers is listened to again:
# the heard text at most this many characters (Whisper keeps the syllable count of what it
# mishears), and a yes only of the heard text's own syllable count (a one-syllable 行 does not
# explain a three-syllable utterance; answers of other classes compete at every length).
MAX_HEARD_CHARS = 6
# A yes the learned model finds this unlikely (每天说过 for 没听说过, 没错回事 for 没这回事) is
# not taken: the question is asked again (chosen on dev; BENCHMARKS.md).
YES_DOUBT = 0.15  # 0.1 with the model before train_e (2026-12-07, stop 29)
# A heard text made only of interjections is a sound (啊？ 嗨 哦), not a misheard word: it is
# not listened to again (a lone sound scored like a one-syllable yes).
INTERJECTIONS = frozenset("啊阿哦噢喔嗨哈哎唉诶欸喂呃额嗯唔呀哟")


def _chars(text: str) -> str:
    """The text without punctuation or spaces: roughly one character a syllable."""
    return "".join(ch for ch in text if ch.isalnum())


def _may_be(answer: str, heard: str) -> bool:
    """Whether an expected answer may be what was heard: a yes only of the same length."""
    if not heard or _CLASS_OF[answer] is not AnswerClass.AFFIRMATIVE:
        return True
    return len(_chars(answer)) == len(_chars(heard))


def second_listen(heard: str, question: str = "") -> tuple[str, ...]:
    """The texts to score against the audio (the heard text first), or () when the heard
    text is understood already or too long to be one of the expected answers."""
    if classify_answer(heard, question) is not AnswerClass.OTHER:
        return ()
    syllables = _chars(heard)
    if len(syllables) > MAX_HEARD_CHARS or (syllables and set(syllables) <= INTERJECTIONS):
        return ()
    return (heard, *CANDIDATES) if heard else CANDIDATES


def hear_answer(heard: str, scores: Sequence[float] | None = None,
                model: AnswerModel | None = None, question: str = "") -> AnswerClass:
    """The class of an answer to `question`: its text's, or else what the second listen's
    scores say (`scores` as the engine returned them for `second_listen(heard, question)`), or
    else the learned model's guess (never a yes) at what the rules and the audio left as
    other; a yes the model finds unlikely is other (asked again)."""
    texts = second_listen(heard, question)
    if texts and scores is not None:
        heard_as = _closed_listen(heard, texts, scores)
    else:
        heard_as = classify_answer(heard, question)
    if model is None:
        return heard_as
    if heard_as is AnswerClass.OTHER:
        return model.guess(heard)
    if heard_as is AnswerClass.AFFIRMATIVE and model.doubts_yes(heard, YES_DOUBT):
        return AnswerClass.OTHER  # two readers must agree on a yes: ask again
    return heard_as


def _closed_listen(heard: str, texts: tuple[str, ...], scores: Sequence[float]) -> AnswerClass:
    """The expected answer the scores make clearly likeliest, or other."""
    if len(scores) != len(texts):
        raise ValueError(f"{len(scores)} scores for {len(texts)} texts of the second listen")
    heard_score = scores[0] if heard else float("-inf")
    by_answer = {text: score for text, score in zip(texts[1:] if heard else texts,
                                                    scores[1:] if heard else scores, strict=True)
                 if _may_be(text, heard)}
    best = max(by_answer, key=by_answer.__getitem__)
    cls = _CLASS_OF[best]
    rivals = [score for text, score in by_answer.items() if _CLASS_OF[text] is not cls]
    lead = by_answer[best] - max(rivals)
    if by_answer[best] + PRIOR < heard_score:
        return AnswerClass.OTHER
    if lead < (YES_MARGIN if cls is AnswerClass.AFFIRMATIVE else MARGIN):
        return AnswerClass.OTHER
    if cls is AnswerClass.AFFIRMATIVE and not _chars(heard) and answer_classifier.WHOLE_YES:
        return AnswerClass.OTHER  # nothing written to hear a yes in (犹豫期怎么算 → ""): ask again
    return cls
