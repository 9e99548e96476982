"""Precision and recall of the misleading-sale rules over a labelled TSV of utterances."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from agent_assist.events import Category, Leg, Utterance
from agent_assist.misleading_sale import MisleadingSaleDetector


@dataclass(frozen=True, slots=True)
class LabelledUtterance:
    """One evaluation line: text, leg, expected categories (empty: nothing to flag), rule id."""

    text: str
    leg: Leg
    expected: frozenset[Category]
    rule_id: str = ""


@dataclass
class Tally:
    """True positives, false positives and false negatives of one category (or all)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        """Share of flags that were expected (1.0 when nothing was flagged)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Share of expected flags that were raised (1.0 when nothing was expected)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class Scores:
    """Per-category tallies, the overall tally and the lines that went wrong."""

    by_category: dict[Category, Tally] = field(
        default_factory=lambda: {c: Tally() for c in Category}
    )
    overall: Tally = field(default_factory=Tally)
    errors: list[tuple[LabelledUtterance, frozenset[Category]]] = field(default_factory=list)


def _categories(field_text: str) -> frozenset[Category]:
    return frozenset(Category(c) for c in field_text.split("|") if c)


def load_labelled(path: Path) -> list[LabelledUtterance]:
    """Read the TSV (text, leg, expected_category with | between several, expected_rule)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [
        LabelledUtterance(
            text=row["text"],
            leg=Leg(row["leg"]),
            expected=_categories(row["expected_category"] or ""),
            rule_id=row.get("expected_rule") or "",
        )
        for row in rows
    ]


def score(detector: MisleadingSaleDetector, labelled: Iterable[LabelledUtterance]) -> Scores:
    """Run the detector on every line and count per category."""
    scores = Scores()
    for item in labelled:
        flags = detector.analyse(Utterance(leg=item.leg, text=item.text))
        predicted = frozenset(flag.category for flag in flags)
        for category in Category:
            tally = scores.by_category[category]
            hit, want = category in predicted, category in item.expected
            tally.tp += hit and want
            tally.fp += hit and not want
            tally.fn += want and not hit
            scores.overall.tp += hit and want
            scores.overall.fp += hit and not want
            scores.overall.fn += want and not hit
        if predicted != item.expected:
            scores.errors.append((item, predicted))
    return scores
