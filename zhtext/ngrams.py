"""Character and toneless-pinyin n-grams of a text and their tf-idf vector: the features of
the project's small learned text models (misleading-sale flags, short answers)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping

import numpy as np

from zhtext.sound import syllables_of

MAX_N = 3
_CLAUSE_BREAKS = set(",.;:!?，。；：！？、\n ")


def _ngrams(units: list[str], prefix: str) -> list[str]:
    grams: list[str] = []
    for n in range(1, MAX_N + 1):
        grams.extend(prefix + "".join(units[i : i + n]) if prefix == "c:"
                     else prefix + " ".join(units[i : i + n])
                     for i in range(len(units) - n + 1))
    return grams


def clause_features(clause: str) -> list[str]:
    """Character 1–3-grams and toneless-pinyin 1–3-grams of one clause (no punctuation inside)."""
    chars = [ch for ch in clause if not ch.isspace()]
    sounds = [s for s in syllables_of("".join(chars)) if s.isascii() and s.isalpha()]
    return _ngrams(chars, "c:") + _ngrams(sounds, "p:")


def clauses(text: str) -> list[tuple[int, int]]:
    """Spans of the clauses of a normalised text, split at punctuation."""
    spans, start = [], 0
    for i, ch in enumerate(text + "。"):
        if ch in _CLAUSE_BREAKS:
            if i > start:
                spans.append((start, i))
            start = i + 1
    return spans


def text_features(text: str) -> Counter[str]:
    """Counts of the n-grams of every clause of a normalised text (none cross punctuation)."""
    counts: Counter[str] = Counter()
    for start, end in clauses(text):
        counts.update(clause_features(text[start:end]))
    return counts


def tfidf_vector(counts: Counter[str], index: Mapping[str, int], idf: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Indices and tf-idf values (sublinear tf, L2-normalised) of the known features, as
    scikit-learn's TfidfVectorizer(sublinear_tf=True) computes them at training time."""
    pairs = [(index[f], (1.0 + math.log(n)) * float(idf[index[f]]))
             for f, n in counts.items() if f in index]
    if not pairs:
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    idx = np.array([i for i, _ in pairs], np.int64)
    values = np.array([v for _, v in pairs], np.float32)
    return idx, values / np.linalg.norm(values)
