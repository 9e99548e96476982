"""Reading a policy import file (CSV or XLSX) into numbered rows of cells keyed by column,
streamed: one row at a time, so a file of any length reads in flat memory."""

from __future__ import annotations

import codecs
import csv
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from storage.policy_columns import REQUIRED_COLUMNS, column_for_header

Cell = str | date


class PolicyFileError(Exception):
    """The file as a whole cannot be read (missing, not CSV/XLSX, no header)."""


@dataclass(frozen=True)
class SourceRow:
    """One data row: its line in the file (1 = header) and its non-empty cells by column."""

    line: int
    cells: dict[str, Cell]
    missing: tuple[str, ...] = ()  # columns the row is too short to have
    extra_cells: int = 0  # cells beyond the header: a shifted row, never guessed at


@dataclass(frozen=True)
class PolicyTable:
    """A file's header, what it lacks, and its rows, read as they are iterated (once)."""

    headers: dict[str, str]  # canonical column → header as written, for messages
    missing_columns: tuple[str, ...]
    rows: Iterator[SourceRow] = field(default_factory=lambda: iter(()))


def read_policy_file(path: Path) -> PolicyTable:
    """The rows of a .csv (UTF-8 or GB18030) or .xlsx file; PolicyFileError if unreadable."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise PolicyFileError(f"not a .csv or .xlsx file: {path.suffix or 'no suffix'}")
    try:
        records = _xlsx_records(path) if suffix == ".xlsx" else _csv_records(path)
        header_line, header = next(records, (1, []))
        return _table(header_line, header, records)
    except OSError as err:
        raise PolicyFileError(err.strerror or type(err).__name__) from err


def _table(
    header_line: int, header: list[Any], records: Iterator[tuple[int, list[Any]]]
) -> PolicyTable:
    """Map the header to canonical columns and every later record to a SourceRow."""
    columns = [column_for_header(str(h)) if h is not None else None for h in header]
    if not any(columns):
        raise PolicyFileError(f"line {header_line}: no known column in the header")
    headers = {c: str(h).strip() for c, h in zip(columns, header, strict=True) if c}
    missing = tuple(c for c in REQUIRED_COLUMNS if c not in headers)
    rows = (_row(line, columns, values) for line, values in records if _has_content(values))
    return PolicyTable(headers, missing, rows)


def _row(line: int, columns: list[str | None], values: list[Any]) -> SourceRow:
    """One record as cells by column, noting columns it is too short to reach."""
    cells: dict[str, Cell] = {}
    for column, value in zip(columns, values, strict=False):
        cell = _cell(value)
        if column and cell != "":
            cells[column] = cell
    short = tuple(c for c in columns[len(values) :] if c)
    extra = sum(1 for v in values[len(columns) :] if _cell(v) != "")
    return SourceRow(line, cells, short, extra)


def _cell(value: Any) -> Cell:
    """A spreadsheet or CSV value as text or date; whole floats lose their .0 (phones, days)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _has_content(values: list[Any]) -> bool:
    return any(_cell(v) != "" for v in values)


def _csv_records(path: Path) -> Iterator[tuple[int, list[Any]]]:
    """(first line of the record, cells) for each CSV record; Excel's GB18030 exports too."""
    encoding = _csv_encoding(path)
    with path.open(encoding=encoding, newline="") as handle:
        reader = csv.reader(handle)
        while True:
            start = reader.line_num + 1
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as err:
                raise PolicyFileError(f"line {start}: {err}") from err
            yield start, list(values)


def _csv_encoding(path: Path) -> str:
    """utf-8-sig or gb18030: whichever decodes the whole file, read in chunks."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise PolicyFileError("neither UTF-8 nor GB18030 text")


def _xlsx_records(path: Path) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cells) for each row of the first worksheet; a damaged workbook (a cut
    or corrupt sheet, a bad zip member) is one PolicyFileError naming the row reached."""
    from openpyxl import load_workbook  # imported here: CSV imports need not pay for it

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except _DAMAGED as err:
        raise PolicyFileError(f"not a readable .xlsx workbook ({_why(err)})") from err
    number = 0
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(values)
    except _DAMAGED as err:
        raise PolicyFileError(f"the workbook is damaged after row {number} ({_why(err)})") from err
    finally:
        workbook.close()


def _why(err: Exception) -> str:
    """One line of the parser's complaint."""
    return " ".join(str(err).split())[:200] or type(err).__name__


# What a cut, truncated or tampered .xlsx raises from zipfile, zlib and the XML parsers.
_DAMAGED: tuple[type[Exception], ...] = (
    zipfile.BadZipFile, zlib.error, KeyError, ValueError, EOFError, IndexError, TypeError,
    SyntaxError,  # xml.etree.ElementTree.ParseError and lxml's XMLSyntaxError derive from it
)  # fmt: skip
