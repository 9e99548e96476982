"""Find phrases in a clause by characters or by toneless pinyin, so ASR homophones still match."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from scripts_zh.answer_text import Clause, make_clause
from zhtext.sound import one_edit_apart, split_syllable

_RETROFLEX = (("zh", "z"), ("ch", "c"), ("sh", "s"))


@lru_cache(maxsize=4096)
def _flatten(syllable: str) -> str:
    """Merge the pairs Mandarin speakers and recognisers confuse most (zh/z, -ng/-n)."""
    for retroflex, flat in _RETROFLEX:
        if syllable.startswith(retroflex):
            syllable = flat + syllable[2:]
            break
    return syllable[:-1] if syllable.endswith("ng") else syllable


def syllables_near(a: str, b: str) -> bool:
    """Same syllable up to z/zh, n/ng, or one letter of a final of two letters or more."""
    fa, fb = _flatten(a), _flatten(b)
    if fa == fb:
        return True
    (ia, ra), (ib, rb) = split_syllable(fa), split_syllable(fb)
    # Same vowel onset only: ben ~ bei is a plausible mishearing, gen ~ gong is another word.
    return ia == ib and min(len(ra), len(rb)) >= 2 and ra[0] == rb[0] and one_edit_apart(ra, rb)


@lru_cache(maxsize=1024)
def compile_phrase(phrase: str) -> Clause:
    """A lexicon phrase with its syllables."""
    return make_clause(phrase)


# A near syllable next to a negator would manufacture denials (差不多 ≠ 差不对): exact pinyin only.
_NO_FUZZY_CHARS = "不没"


def _matches_at(clause: Clause, phrase: Clause, start: int) -> bool:
    """Exact chars or pinyin everywhere, at most one near syllable, and at least one exact char."""
    fuzzy_allowed = not any(char in _NO_FUZZY_CHARS for char in phrase.chars)
    near = 0
    exact_char = False
    for offset, (char, syllable) in enumerate(zip(phrase.chars, phrase.syllables, strict=True)):
        own_char, own_syllable = clause.chars[start + offset], clause.syllables[start + offset]
        if own_char == char:
            exact_char = True
        elif own_syllable != syllable:
            if not (fuzzy_allowed and syllables_near(own_syllable, syllable)):
                return False
            near += 1
    return near == 0 or (near == 1 and exact_char)


def find_phrase(clause: Clause, phrase: str) -> list[int]:
    """Start offsets where the phrase (two chars or more for pinyin) occurs in the clause."""
    compiled = compile_phrase(phrase)
    width = len(compiled.chars)
    if width == 1:
        return [i for i, char in enumerate(clause.chars) if char == compiled.chars]
    return [
        start
        for start in range(len(clause.chars) - width + 1)
        if _matches_at(clause, compiled, start)
    ]


def canonicalise(clause: Clause, phrases: Iterable[str], protected: Iterable[str]) -> Clause:
    """Rewrite homophone spellings of the phrases into their canonical chars (清处 → 清楚)."""
    chars = list(clause.chars)
    guarded = _protected_offsets(clause, protected)
    for phrase in phrases:
        for start in find_phrase(clause, phrase):
            span = range(start, start + len(phrase))
            if guarded.isdisjoint(span) and clause.chars[start : start + len(phrase)] != phrase:
                chars[start : start + len(phrase)] = phrase
    return make_clause("".join(chars))


def _protected_offsets(clause: Clause, protected: Iterable[str]) -> set[int]:
    """Offsets of real words that merely sound like a lexicon phrase (全部 is not 不)."""
    offsets: set[int] = set()
    for word in protected:
        start = clause.chars.find(word)
        while start >= 0:
            offsets.update(range(start, start + len(word)))
            start = clause.chars.find(word, start + 1)
    return offsets
