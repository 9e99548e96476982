"""Features of an utterance for the learned flagger: character and toneless-pinyin n-grams."""

from __future__ import annotations

from collections import Counter

from zhtext.ngrams import clause_features, clauses, text_features

__all__ = ["clause_features", "clauses", "utterance_features"]


def utterance_features(text: str, leg: str) -> Counter[str]:
    """Counts of every feature of a normalised utterance, the speaker's leg included."""
    counts: Counter[str] = Counter({f"leg:{leg}": 1})  # first, as the model was trained
    counts.update(text_features(text))
    return counts
