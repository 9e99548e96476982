"""The labelled answer utterances (text, class, tag) kept as TSV in scripts_zh/data/."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from scripts_zh.answer_class import AnswerClass

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class LabelledAnswer:
    """One utterance with the class a careful human gives it and a tag saying why it is there."""

    text: str
    label: AnswerClass
    tag: str


def load_labelled_answers(path: Path) -> list[LabelledAnswer]:
    """Rows of a `text<TAB>class<TAB>tag` file with a header line."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [LabelledAnswer(r["text"], AnswerClass(r["class"]), r["tag"]) for r in rows]
