"""Phone-change records from a CSV export, until the database keeps its own change history."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

from agent_assist.phone_records import PhoneChange

# Canonical column → the Chinese header policy-service exports use for it.
COLUMNS = {
    "policy_no": "保单号",
    "old_phone": "原号码",
    "new_phone": "新号码",
    "changed_at": "变更时间",
}


class PhoneChangeFileError(ValueError):
    """A change file that cannot be read, or a row in it that is not a change."""


def read_phone_changes(path: Path) -> list[PhoneChange]:
    """The changes listed in a UTF-8 CSV; PhoneChangeFileError naming the line that is wrong."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            rows = list(csv.DictReader(file))
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise PhoneChangeFileError(f"cannot read {path}: {err}") from err
    return [_change(row, line) for line, row in enumerate(rows, start=2)]


def _change(row: dict[str, str | None], line: int) -> PhoneChange:
    """One row as a PhoneChange, by canonical or Chinese headers."""
    cells = {name: _cell(row, name, line) for name in COLUMNS}
    try:
        return PhoneChange(
            policy_no=cells["policy_no"],
            old_phone=cells["old_phone"],
            new_phone=cells["new_phone"],
            changed_at=datetime.fromisoformat(cells["changed_at"]),
        )
    except ValueError as err:
        raise PhoneChangeFileError(f"line {line}: {err}") from err


def _cell(row: dict[str, str | None], name: str, line: int) -> str:
    """The row's value for a column under either header; an error when it is absent."""
    value = row.get(name) or row.get(COLUMNS[name])
    if not value or not value.strip():
        raise PhoneChangeFileError(f"line {line}: missing {name} ({COLUMNS[name]})")
    return value.strip()
