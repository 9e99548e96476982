"""Find where one rule's phrases, patterns and proximity conditions occur in normalized text."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from agent_assist.clause_context import clause_bounds
from agent_assist.normalized_text import normalize
from agent_assist.rule_schema import MisleadingSaleRule, ProximityCondition


@dataclass(frozen=True, slots=True)
class RawMatch:
    """A place a rule matched, before context (negation, questions) is weighed."""

    start: int
    end: int
    # Stretches between the terms of a proximity match, where a negator flips the meaning.
    gaps: tuple[tuple[int, int], ...] = ()
    negation: str | None = None


def _canonical(term: str) -> str:
    return normalize(term).text


def _occurrences(text: str, terms: tuple[str, ...]) -> list[tuple[int, int]]:
    found = []
    for term in terms:
        start = text.find(term)
        while start != -1:
            found.append((start, start + len(term)))
            start = text.find(term, start + 1)
    return sorted(found)


def _distance(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, max(a[0], b[0]) - min(a[1], b[1]))


_SHORT_COMMENT = 6
_ANAPHORA = ("这", "那")


def _is_comment(clause: str) -> bool:
    return clause.startswith(_ANAPHORA) or len(clause) <= _SHORT_COMMENT


def _topic_comment_clause(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause, joined with a clause that comments on it (…，这个没人说过 / …，没听说过)."""
    left, right = clause_bounds(text, start, end)
    if left > 0 and _is_comment(text[left:right]):
        left = clause_bounds(text, left - 1, left - 1)[0]
    elif right < len(text):
        next_left, next_right = clause_bounds(text, right + 1, right + 1)
        if _is_comment(text[next_left:next_right]):
            right = next_right
    return left, right


@dataclass(frozen=True, slots=True)
class _Proximity:
    groups: tuple[tuple[str, ...], ...]
    within: int
    negation: str | None

    def find(self, text: str) -> list[RawMatch]:
        """Every anchor (first group) with a term of each other group close by, in one clause."""
        others = [_occurrences(text, group) for group in self.groups[1:]]
        matches = []
        for anchor in _occurrences(text, self.groups[0]):
            clause = _topic_comment_clause(text, anchor[0], anchor[1])
            parts = [anchor]
            for occurrences in others:
                inside = [o for o in occurrences if clause[0] <= o[0] and o[1] <= clause[1]]
                near = [o for o in inside if _distance(anchor, o) <= self.within]
                if not near:
                    break
                parts.append(min(near, key=lambda o: _distance(anchor, o)))
            else:
                matches.append(self._joined(parts))
        return matches

    def _joined(self, parts: list[tuple[int, int]]) -> RawMatch:
        ordered = sorted(parts)
        gaps = tuple((a[1], b[0]) for a, b in itertools.pairwise(ordered) if a[1] < b[0])
        return RawMatch(ordered[0][0], max(end for _, end in ordered), gaps, self.negation)


class RuleMatcher:
    """One rule compiled for matching: canonical phrases, compiled patterns, proximities."""

    def __init__(self, rule: MisleadingSaleRule) -> None:
        self.rule = rule
        self._phrases = tuple(sorted({_canonical(p) for p in rule.phrases}, key=len, reverse=True))
        self._patterns = tuple(re.compile(p) for p in rule.patterns)
        self._near = tuple(_proximity(cond) for cond in rule.near)
        self._unless = tuple(_canonical(u) for u in rule.unless)

    def find(self, text: str) -> list[RawMatch]:
        """Every raw match in `text`, longest phrase matches first, then patterns and proximity."""
        matches = [RawMatch(s, e) for s, e in _occurrences(text, self._phrases)]
        for pattern in self._patterns:
            found = pattern.finditer(text)
            matches.extend(RawMatch(m.start(), m.end()) for m in found if m.end() > m.start())
        for near in self._near:
            matches.extend(near.find(text))
        return [m for m in matches if not self._excepted(text, m)]

    def _excepted(self, text: str, match: RawMatch) -> bool:
        """An `unless` word in the same clause cancels the match (e.g. 不保证 beside 收益)."""
        left, right = clause_bounds(text, match.start, match.end)
        clause = text[left:right]
        return any(word in clause for word in self._unless)


def _proximity(cond: ProximityCondition) -> _Proximity:
    groups = tuple(tuple(_canonical(t) for t in group) for group in cond.groups)
    return _Proximity(groups, cond.within, cond.negation)
