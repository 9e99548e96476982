"""A learned guess at a short answer the rules left unclear (heard as other).

A multinomial logistic regression over character and toneless-pinyin n-grams (zhtext.ngrams),
trained offline (`bench/train_answer_model.py`, scikit-learn) on labelled answers and on what
the recogniser heard of them spoken through the phone band, so Whisper's near-homophones
(转员工 for 转人工) carry their answer's sound grams. Weights are a compressed `.npz` of plain
arrays (no pickle); this module reads them and scores with numpy. It never makes a yes: a
confirmation needs the rules or the audio (answer_hearing.py), the worst error being a false yes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import numpy as np

from scripts_zh.answer_class import AnswerClass
from zhtext import normalize_width, to_simplified
from zhtext.ngrams import (
    feature_index,
    load_arrays,
    save_arrays,
    text_features,
    tfidf_vector,
)

DEFAULT_MODEL_FILE = Path(__file__).parent / "data" / "answer_model.npz"


class AnswerModelError(Exception):
    """The answer model file is missing or not an answer model."""


@dataclass(frozen=True, slots=True)
class AnswerModel:
    """Weights per answer class, and the least probability at which a guess is taken."""

    index: dict[str, int]
    idf: np.ndarray
    classes: tuple[AnswerClass, ...]
    weights: np.ndarray  # classes × features
    intercepts: np.ndarray
    threshold: float

    @classmethod
    def load(cls, path: Path | None = None) -> AnswerModel:
        """Read a model written by `save` (plain arrays, pickle refused); default: shipped."""
        path = path or DEFAULT_MODEL_FILE
        try:
            arrays = load_arrays(path)
            return cls(
                index=feature_index(arrays["features"]),
                idf=arrays["idf"].astype(np.float32),
                classes=tuple(AnswerClass(str(c)) for c in arrays["classes"]),
                weights=arrays["weights"].astype(np.float32),
                intercepts=arrays["intercepts"].astype(np.float32),
                threshold=float(arrays["threshold"]),
            )
        except (OSError, KeyError, ValueError) as error:
            raise AnswerModelError(f"cannot read answer model {path}: {error}") from error

    def save(self, path: Path) -> None:
        """Write the model as a compressed npz of plain arrays (weights as float16)."""
        save_arrays(path, self.index, self.idf,
                    classes=np.array([c.value for c in self.classes]),
                    weights=self.weights.astype(np.float16), intercepts=self.intercepts,
                    threshold=np.array(self.threshold))

    def with_threshold(self, threshold: float) -> AnswerModel:
        """The same weights with another threshold (chosen on dev at training time)."""
        return replace(self, threshold=threshold)

    def probabilities(self, text: str) -> dict[AnswerClass, float]:
        """Probability of each class for a recognised answer."""
        idx, values = tfidf_vector(answer_features(text), self.index, self.idf)
        logits = self.weights[:, idx] @ values + self.intercepts
        exp = np.exp(logits - logits.max())
        return dict(zip(self.classes, (exp / exp.sum()).tolist(), strict=True))

    def doubts_yes(self, text: str, below: float) -> bool:
        """Whether the text's probability of being a yes is under `below`."""
        return self.probabilities(text).get(AnswerClass.AFFIRMATIVE, 0.0) < below

    def guess(self, text: str) -> AnswerClass:
        """The likeliest class when it reaches the threshold and is not a yes, else other."""
        probabilities = self.probabilities(text)
        best = max(probabilities, key=probabilities.__getitem__)
        if best is AnswerClass.AFFIRMATIVE or probabilities[best] < self.threshold:
            return AnswerClass.OTHER
        return best


def answer_features(text: str) -> Counter[str]:
    """The n-gram counts of a recognised answer, width and script normalised."""
    return text_features(normalize_width(to_simplified(text)).strip())


@cache
def default_model() -> AnswerModel:
    """The shipped model, read once."""
    return AnswerModel.load()
