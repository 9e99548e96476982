"""Character and toneless-pinyin n-grams of a text and their tf-idf vector: the features of
the project's small learned text models (misleading-sale flags, short answers)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

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


def load_arrays(path: Path) -> dict[str, np.ndarray]:
    """Every array of a learned model's .npz, pickle refused (numpy's OSError, ValueError)."""
    with np.load(path, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


def feature_index(features: np.ndarray) -> dict[str, int]:
    """The column of each feature name, as `save_arrays` wrote them."""
    return {str(f): i for i, f in enumerate(features)}


def save_arrays(path: Path, index: Mapping[str, int], idf: np.ndarray,
                **arrays: np.ndarray) -> None:
    """A learned model as a compressed .npz: its feature names in column order, its idf
    (float16), and the model's own arrays."""
    features = sorted(index, key=index.__getitem__)
    # numpy's stub types every keyword as its allow_pickle flag; these are arrays to store
    np.savez_compressed(path, features=np.array(features), idf=idf.astype(np.float16),
                        **arrays)  # type: ignore[arg-type]
