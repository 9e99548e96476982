"""Precision, recall, accuracy and false confirmations of answer classification."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scripts_zh.answer_class import AnswerClass


@dataclass(frozen=True)
class ClassScore:
    """Precision and recall of one class."""

    support: int
    precision: float
    recall: float


@dataclass(frozen=True)
class AnswerScores:
    """The figures of one labelled set."""

    total: int
    accuracy: float
    per_class: dict[AnswerClass, ClassScore]
    false_confirmations: tuple[int, ...]  # indices of non-affirmative answers taken as yes


def score_answers(
    expected: Sequence[AnswerClass], predicted: Sequence[AnswerClass]
) -> AnswerScores:
    """Compare predictions with labels, position by position."""
    pairs = list(zip(expected, predicted, strict=True))
    per_class = {cls: _class_score(pairs, cls) for cls in AnswerClass}
    correct = sum(e == p for e, p in pairs)
    false_yes = tuple(
        i
        for i, (e, p) in enumerate(pairs)
        if p is AnswerClass.AFFIRMATIVE and e is not AnswerClass.AFFIRMATIVE
    )
    return AnswerScores(len(pairs), correct / max(len(pairs), 1), per_class, false_yes)


def _class_score(pairs: list[tuple[AnswerClass, AnswerClass]], cls: AnswerClass) -> ClassScore:
    true_pos = sum(e == cls and p == cls for e, p in pairs)
    predicted = sum(p == cls for _, p in pairs)
    support = sum(e == cls for e, _ in pairs)
    precision = true_pos / predicted if predicted else 1.0
    recall = true_pos / support if support else 1.0
    return ClassScore(support, precision, recall)
