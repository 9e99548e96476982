"""Phone-change records from a policy-service CSV export (stored by `huifang policies
phone-changes`, or read directly by `huifang phone-cues --changes`)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
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


@dataclass
class PhoneChangeRows:
    """A change file read row by row: the good rows by line, and one problem per bad row."""

    rows: int = 0  # data rows in the file, good and bad
    changes: list[tuple[int, PhoneChange]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # `line 7: missing new_phone (新号码)`


def read_phone_changes(path: Path) -> list[PhoneChange]:
    """The changes listed in a UTF-8 CSV; PhoneChangeFileError naming the first wrong line."""
    rows = read_phone_change_rows(path)
    if rows.problems:
        raise PhoneChangeFileError(rows.problems[0])
    return [change for _, change in rows.changes]


def read_phone_change_rows(path: Path) -> PhoneChangeRows:
    """Every row of a UTF-8 CSV as a change or a problem; PhoneChangeFileError if unreadable."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            reader = csv.DictReader(file)
            rows = list(reader)
            headers = list(reader.fieldnames or [])
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise PhoneChangeFileError(f"cannot read {path}: {err}") from err
    result = PhoneChangeRows(rows=len(rows))
    missing = [f"{n} ({COLUMNS[n]})" for n in COLUMNS if not _has_column(headers, n)]
    if missing:
        result.problems.append(f"line 1: the header lacks {', '.join(missing)}: no row read")
        return result
    for line, row in enumerate(rows, start=2):
        try:
            result.changes.append((line, _change(row, line)))
        except PhoneChangeFileError as err:
            result.problems.append(str(err))
    return result


def _has_column(headers: list[str], name: str) -> bool:
    """Whether the header names the column canonically or in Chinese."""
    stripped = {header.strip() for header in headers if header}
    return name in stripped or COLUMNS[name] in stripped


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
    value = _value(row, name) or _value(row, COLUMNS[name])
    if not value or not value.strip():
        raise PhoneChangeFileError(f"line {line}: missing {name} ({COLUMNS[name]})")
    return value.strip()


def _value(row: dict[str, str | None], header: str) -> str | None:
    """The cell under a header, allowing spaces around the header as exports write them."""
    for key, value in row.items():
        if key is not None and key.strip() == header:
            return value
    return None
