"""A table (headers and rows) as a CSV or XLSX download: masked by role, audited."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from fastapi.responses import Response
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy.orm import Session

from huifang.documents.table import Cell, Table
from huifang.web.roles import sees_personal_data
from huifang.web.sign_ins import SignedInUser
from storage.audit import Actor, record_change
from zhtext.personal_numbers import mask_personal_numbers

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A spreadsheet runs a cell starting with these as a formula (CSV injection): quote it.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ExportFormat(StrEnum):
    """What the export routes write."""

    CSV = "csv"
    XLSX = "xlsx"


def export_response(
    table: Table,
    export_format: ExportFormat,
    filename: str,
    *,
    session: Session,
    reader: SignedInUser,
    filters: dict[str, Any],
) -> Response:
    """The table as a download named filename.csv or filename.xlsx, masked as the reader's
    role requires, and written to the audit trail (who exported what, how many rows)."""
    masked = not sees_personal_data(reader.role)
    if masked:
        table = _masked(table)
    name = f"{filename}.{export_format.value}"
    record_change(
        session, Actor(reader.user_id, reader.username), "export", "export", 0, None,
        {"file": name, "title": table.title, "rows": len(table.rows), "masked": masked,
         "filters": {key: value for key, value in filters.items() if value not in (None, False)}},
    )  # fmt: skip
    if export_format is ExportFormat.CSV:
        body, media_type = table_csv(table), "text/csv; charset=utf-8"
    else:
        body, media_type = table_xlsx(table), XLSX_TYPE
    disposition = f"attachment; filename=\"{_ascii(name)}\"; filename*=UTF-8''{quote(name)}"
    return Response(
        body, media_type=media_type,
        headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"},
    )  # fmt: skip


def _masked(table: Table) -> Table:
    """The table with personal numbers hidden in every text cell."""
    rows = [[mask_personal_numbers(c) if isinstance(c, str) else c for c in row]
            for row in table.rows]  # fmt: skip
    return Table(table.title, table.headers, rows)


def table_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens the Chinese text right."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow([_csv_cell(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def table_xlsx(table: Table) -> bytes:
    """One sheet, headers in the first row; dates stay dates."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = table.title[:31]
    sheet.append(list(table.headers))
    for row in table.rows:
        sheet.append([_xlsx_cell(cell) for cell in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime | date):
        return cell.isoformat()
    return str(cell)


def _csv_cell(cell: Cell) -> str:
    return _safe_text(cell) if isinstance(cell, str) else _text(cell)


def _xlsx_cell(cell: Cell) -> Cell:
    if isinstance(cell, datetime):
        return cell.replace(tzinfo=None)  # Excel has no zones; the values are UTC
    if isinstance(cell, str):
        return _safe_text(ILLEGAL_CHARACTERS_RE.sub("", cell))
    return cell


def _safe_text(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def _ascii(name: str) -> str:
    return name.encode("ascii", "replace").decode("ascii").replace("?", "_")
