"""A small learned flagger: logistic regressions over character and toneless-pinyin n-grams.

Weights are trained offline (`bench/train_flag_model.py`, scikit-learn) into a compressed
`.npz` of plain arrays (no pickle); this module only reads them and scores with numpy.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from agent_assist.events import Category
from agent_assist.flag_features import clause_features, clauses, utterance_features
from zhtext.ngrams import feature_index, load_arrays, save_arrays, tfidf_vector

DEFAULT_MODEL_FILE = Path(__file__).parent / "data" / "misleading_sale_model.npz"


class FlagModelError(Exception):
    """The model file is missing or not a flag model."""


@dataclass(frozen=True, slots=True)
class LearnedVerdict:
    """The model's flag on one utterance: category, sub-category rule, probability, evidence."""

    category: Category
    rule_id: str
    probability: float
    clause: tuple[int, int]
    ngrams: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FlagModel:
    """Weights per category (the decision) and per rule id (the sub-category within it)."""

    index: dict[str, int]
    idf: np.ndarray
    categories: tuple[Category, ...]
    weights: np.ndarray
    intercepts: np.ndarray
    rule_ids: tuple[str, ...]
    rule_categories: tuple[Category, ...]
    rule_weights: np.ndarray
    rule_intercepts: np.ndarray
    threshold: float

    @classmethod
    def load(cls, path: Path = DEFAULT_MODEL_FILE) -> FlagModel:
        """Read a model written by `save` (plain arrays, pickle refused)."""
        try:
            arrays = load_arrays(path)
            return cls(
                index=feature_index(arrays["features"]),
                idf=arrays["idf"].astype(np.float32),
                categories=tuple(Category(str(c)) for c in arrays["categories"]),
                weights=arrays["weights"].astype(np.float32),
                intercepts=arrays["intercepts"].astype(np.float32),
                rule_ids=tuple(str(r) for r in arrays["rule_ids"]),
                rule_categories=tuple(Category(str(c)) for c in arrays["rule_categories"]),
                rule_weights=arrays["rule_weights"].astype(np.float32),
                rule_intercepts=arrays["rule_intercepts"].astype(np.float32),
                threshold=float(arrays["threshold"]),
            )
        except (OSError, KeyError, ValueError) as error:
            raise FlagModelError(f"cannot read flag model {path}: {error}") from error

    def save(self, path: Path) -> None:
        """Write the model as a compressed npz of plain arrays (weights as float16)."""
        save_arrays(
            path, self.index, self.idf,
            categories=np.array([c.value for c in self.categories]),
            weights=self.weights.astype(np.float16), intercepts=self.intercepts,
            rule_ids=np.array(self.rule_ids),
            rule_categories=np.array([c.value for c in self.rule_categories]),
            rule_weights=self.rule_weights.astype(np.float16),
            rule_intercepts=self.rule_intercepts, threshold=np.array(self.threshold))

    def vector(self, counts: Counter[str]) -> tuple[np.ndarray, np.ndarray]:
        """Indices and tf-idf values (sublinear tf, L2-normalised) of the known features."""
        return tfidf_vector(counts, self.index, self.idf)

    def probabilities(self, text: str, leg: str) -> np.ndarray:
        """Probability of each category for a normalised utterance."""
        idx, values = self.vector(utterance_features(text, leg))
        return _sigmoid(self.weights[:, idx] @ values + self.intercepts)

    def verdict(self, text: str, leg: str) -> LearnedVerdict | None:
        """The likeliest category when its probability reaches the threshold, with evidence."""
        counts = utterance_features(text, leg)
        idx, values = self.vector(counts)
        probs = _sigmoid(self.weights[:, idx] @ values + self.intercepts)
        best = int(np.argmax(probs))
        if probs[best] < self.threshold:
            return None
        category = self.categories[best]
        rule_scores = self.rule_weights[:, idx] @ values + self.rule_intercepts
        in_category = [i for i, c in enumerate(self.rule_categories) if c == category]
        rule_id = self.rule_ids[max(in_category, key=lambda i: rule_scores[i])]
        weight_of = dict(zip(idx.tolist(), (self.weights[best, idx] * values).tolist(),
                             strict=True))
        clause, ngrams = self._evidence(text, weight_of)
        return LearnedVerdict(category, rule_id, float(probs[best]), clause, ngrams)

    def _evidence(self, text: str, weight_of: dict[int, float]
                  ) -> tuple[tuple[int, int], tuple[str, ...]]:
        """The clause whose n-grams push hardest towards the flag, and its top n-grams."""
        best_span, best_score = (0, len(text)), -math.inf
        best_grams: tuple[str, ...] = ()
        for start, end in clauses(text) or [(0, len(text))]:
            grams = {f: weight_of.get(self.index.get(f, -1), 0.0)
                     for f in clause_features(text[start:end])}
            score = sum(grams.values())
            if score > best_score:
                top = sorted((g for g in grams if grams[g] > 0), key=grams.__getitem__,
                             reverse=True)[:3]
                best_span, best_score, best_grams = (start, end), score, tuple(top)
        return best_span, best_grams


def _sigmoid(x: np.ndarray) -> np.ndarray:
    result: np.ndarray = 1.0 / (1.0 + np.exp(-x))
    return result
