"""The labelled answer sets: big and varied enough, no false confirmation, accuracy on target."""

from __future__ import annotations

from collections import Counter

import pytest

from scripts_zh.answer_class import AnswerClass
from scripts_zh.answer_classifier import classify_answer
from scripts_zh.answer_metrics import score_answers
from scripts_zh.labelled_answers import DATA_DIR, LabelledAnswer, load_labelled_answers

SETS = ("answers_labelled.tsv", "answers_heldout.tsv", "answers_fresh.tsv", "answers_blind.tsv")


def _all_answers() -> list[LabelledAnswer]:
    return [answer for name in SETS for answer in load_labelled_answers(DATA_DIR / name)]


def test_labelled_set_is_large_and_covers_every_class() -> None:
    answers = load_labelled_answers(DATA_DIR / "answers_labelled.tsv")
    assert len(answers) >= 300
    counts = Counter(answer.label for answer in answers)
    assert all(counts[cls] >= 25 for cls in AnswerClass)
    tags = Counter(answer.tag for answer in answers)
    assert tags["homophone"] >= 20 and tags["negation"] >= 15 and tags["dialect"] >= 20


def test_no_false_confirmation_on_any_labelled_answer() -> None:
    false_yes = [
        answer.text
        for answer in _all_answers()
        if answer.label is not AnswerClass.AFFIRMATIVE
        and classify_answer(answer.text) is AnswerClass.AFFIRMATIVE
    ]
    assert false_yes == []


# Read without their question, a few yeses that go on past the yes (我是王秀英, 是本人在接电话)
# are asked again (answer_classifier.YES_REST_READ); in a call the question reads them.
TARGETS = {"answers_labelled.tsv": 0.95, "answers_heldout.tsv": 0.95,
           "answers_fresh.tsv": 0.94, "answers_blind.tsv": 0.93}


@pytest.mark.parametrize("name", SETS)
def test_accuracy_target(name: str) -> None:
    answers = load_labelled_answers(DATA_DIR / name)
    scores = score_answers([a.label for a in answers], [classify_answer(a.text) for a in answers])
    assert scores.accuracy >= TARGETS[name]
    assert scores.false_confirmations == ()
