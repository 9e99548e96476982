"""A titled table of plain cells: what the reports build and the exports write (web's
table_export as CSV/XLSX downloads, the commands as files)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

Cell = str | int | float | date | datetime | None


@dataclass(frozen=True)
class Table:
    """A titled sheet: column headers and rows of plain cells."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Cell]]
