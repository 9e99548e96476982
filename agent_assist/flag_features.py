"""Features of an utterance for the learned flagger: character and toneless-pinyin n-grams."""

from __future__ import annotations

from collections import Counter

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


def utterance_features(text: str, leg: str) -> Counter[str]:
    """Counts of every feature of a normalised utterance, the speaker's leg included."""
    counts: Counter[str] = Counter(f"leg:{leg}" for _ in range(1))
    for start, end in clauses(text):
        counts.update(clause_features(text[start:end]))
    return counts
