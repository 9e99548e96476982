"""An answer as the classifier sees it: simplified clauses with one toneless syllable per char."""

from __future__ import annotations

import re
from dataclasses import dataclass

from zhtext import normalize_width, to_simplified, toneless_pinyin

# Clause boundaries: anything that is not a letter, digit or ideograph (both widths after NFKC).
_CLAUSE_SPLIT_RE = re.compile(r"[^\w]+|_+")


@dataclass(frozen=True)
class Clause:
    """One stretch of an answer between punctuation marks, with its syllables aligned per char."""

    chars: str
    syllables: tuple[str, ...]


@dataclass(frozen=True)
class AnswerText:
    """A normalised answer: its clauses, and whether the speaker ended on a question mark."""

    clauses: tuple[Clause, ...]
    ends_with_question_mark: bool

    @property
    def chars(self) -> str:
        """All clauses joined without separators."""
        return "".join(clause.chars for clause in self.clauses)


def make_clause(chars: str) -> Clause:
    """A clause from already normalised characters."""
    syllables = tuple(toneless_pinyin(chars))
    if len(syllables) != len(chars):  # pypinyin groups odd runs; fall back to the chars themselves
        syllables = tuple(chars)
    return Clause(chars, syllables)


def parse_answer(text: str) -> AnswerText:
    """Simplified, half-width, lower-case clauses of a recognised answer."""
    normal = normalize_width(to_simplified(text)).lower().strip()
    parts = [part for part in _CLAUSE_SPLIT_RE.split(normal) if part]
    return AnswerText(
        clauses=tuple(make_clause(part) for part in parts),
        ends_with_question_mark=normal.endswith("?"),
    )
