"""Character voting between decodes of one utterance (ROVER-style, pure, no I/O).

Each other text is aligned to the pivot (edit distance, one unit per Chinese character, digit
or punctuation mark; a run of Latin letters is one unit). At every pivot unit and every gap
between units, each text casts one vote for what it has there; a choice wins only with more
votes than any other, else the pivot stays, so with three texts the pivot changes only where
both others agree against it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

_UNIT = re.compile(r"[A-Za-z]+|\S")


def units(text: str) -> list[str]:
    """The text's voting units: letters runs whole, every other visible character alone."""
    return _UNIT.findall(text)


def join_units(pieces: Sequence[str]) -> str:
    """Units back to text: a space only between two Latin words."""
    out = ""
    for unit in pieces:
        if out and unit[0].isascii() and unit[0].isalpha() and out[-1].isascii() \
                and out[-1].isalpha():
            out += " "
        out += unit
    return out


@dataclass(frozen=True)
class Alignment:
    """Another text seen from the pivot: what stands at each pivot unit and in each gap."""

    at: tuple[str, ...]  # per pivot unit: the aligned unit, or "" where it has none
    gaps: tuple[str, ...]  # per gap (before unit 0 … after the last): units it inserts there


def align(pivot: Sequence[str], other: Sequence[str]) -> Alignment:
    """Minimum-edit alignment of `other` to `pivot` (ties: substitution, then deletion)."""
    n, m = len(pivot), len(other)
    cost = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        cost[i][0] = i
    for j in range(m + 1):
        cost[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            same = 0 if pivot[i - 1] == other[j - 1] else 1
            cost[i][j] = min(cost[i - 1][j - 1] + same, cost[i - 1][j] + 1, cost[i][j - 1] + 1)
    at = [""] * n
    gaps: list[list[str]] = [[] for _ in range(n + 1)]
    i, j = n, m
    while i or j:
        if i and j and cost[i][j] == cost[i - 1][j - 1] + (pivot[i - 1] != other[j - 1]):
            at[i - 1] = other[j - 1]
            i, j = i - 1, j - 1
        elif i and cost[i][j] == cost[i - 1][j] + 1:
            i -= 1  # the pivot's unit has nothing facing it
        else:
            gaps[i].insert(0, other[j - 1])
            j -= 1
    return Alignment(tuple(at), tuple("".join(g) for g in gaps))


def vote(pivot: str, others: Sequence[str]) -> str:
    """The pivot with each unit and gap replaced by the majority's choice (pivot wins ties)."""
    mine = units(pivot)
    seen = [align(mine, units(text)) for text in others]
    out: list[str] = []
    for gap in range(len(mine) + 1):
        out.extend(units(_majority("", [a.gaps[gap] for a in seen])))
        if gap < len(mine):
            out.extend(units(_majority(mine[gap], [a.at[gap] for a in seen])))
    return join_units(out)


def _majority(own: str, theirs: Sequence[str]) -> str:
    """The one choice with more votes than any other; the pivot's own on any tie."""
    ranked = Counter([own, *theirs]).most_common()
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return own
    return ranked[0][0]
