"""Importing policy files: good rows in, bad rows out with line and column, idempotent."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from storage_testkit import GOOD_CSV, MIXED_CSV, sqlite_db

from scripts_zh.policy import ProductFamily
from storage.database import Database
from storage.models import Gender, Policy
from storage.policy_file import PolicyFileError
from storage.policy_import import ImportReport, describe_row, import_policy_file
from storage.repository import Repository


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = sqlite_db(tmp_path)
    yield database
    database.close()


def _counts(report: ImportReport) -> tuple[int, int, int, int]:
    return report.imported, report.updated, report.unchanged, report.rejected


def _policy_count(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Policy)) or 0


def test_good_file_imports_every_row_with_derived_deadline(db: Database) -> None:
    report = import_policy_file(db, GOOD_CSV)
    assert _counts(report) == (6, 0, 0, 0) and report.problems == []
    with db.session() as session:
        policy = Repository(session).policy("8644012024110001")
        assert policy is not None
        assert policy.family is ProductFamily.PARTICIPATING
        assert policy.holder_gender is Gender.FEMALE
        assert policy.phone == "13812345678"  # spaces dropped
        assert policy.receipt_date == date(2024, 11, 4)
        assert policy.cooling_off_deadline == date(2024, 11, 19)  # 15 days from the day after
        landline = Repository(session).policy("8633012024110004")
        assert landline is not None and landline.phone == "02083456789"
        universal = Repository(session).policy("8644012024110003")
        assert universal is not None
        assert universal.phone == "13700012345"  # +86 and dashes dropped
        assert universal.cooling_off_deadline == date(2024, 11, 26)  # a 20-day 犹豫期
        assert universal.insured_name == "刘洋"
        families = {p.policy_no: p.family for p in session.scalars(select(Policy))}
    assert families["8633012024110005"] is ProductFamily.HEALTH  # 重疾
    assert families["8651012024110006"] is ProductFamily.HEALTH  # 健康/重疾


def test_reimporting_the_same_file_changes_nothing(db: Database) -> None:
    import_policy_file(db, GOOD_CSV)
    with db.session() as session:
        before = {p.policy_no: p.updated_at for p in session.scalars(select(Policy))}
    report = import_policy_file(db, GOOD_CSV)
    assert _counts(report) == (0, 0, 6, 0)
    with db.session() as session:
        after = {p.policy_no: p.updated_at for p in session.scalars(select(Policy))}
    assert after == before and _policy_count(db) == 6


def test_a_changed_row_is_updated_in_place(db: Database, tmp_path: Path) -> None:
    import_policy_file(db, GOOD_CSV)
    changed = tmp_path / "changed.csv"
    text = GOOD_CSV.read_text(encoding="utf-8")
    changed.write_text(text.replace("138 1234 5678", "13912345678"), encoding="utf-8")
    report = import_policy_file(db, changed)
    assert _counts(report) == (0, 1, 5, 0)
    with db.session() as session:
        policy = Repository(session).policy("8644012024110001")
        assert policy is not None and policy.phone == "13912345678"
    assert _policy_count(db) == 6


def test_bad_rows_are_named_by_line_and_column_and_kept_out(db: Database) -> None:
    report = import_policy_file(db, MIXED_CSV)
    assert _counts(report) == (3, 0, 0, 6)
    lines = {problems[0].line: problems for problems in report.problems}
    assert sorted(lines) == [3, 4, 5, 7, 8, 9]
    assert lines[3][0].column == "联系电话" and "1381234000" in lines[3][0].problem
    assert lines[4][0].column == "出生日期" and "not a date" in lines[4][0].problem
    assert lines[5][0].column == "产品类型" and "理财" in lines[5][0].problem
    assert lines[7][0].column == "保单号" and "duplicate of line 2" in lines[7][0].problem
    assert describe_row(lines[8]) == (
        "line 8: column 回执签收日期, 犹豫期天数, 业务员, 团队, 网点, 分公司: "
        "missing (the row ends early)"
    )
    assert describe_row(lines[9]) == (
        "line 9: column 回执签收日期: 2024-12-03 is before 投保日期 2024-12-05"
    )
    assert describe_row(lines[3]).startswith("line 3: column 联系电话: phone number '1381234000'")
    with db.session() as session:
        stored = set(session.scalars(select(Policy.policy_no)))
    assert stored == {"8644012024120101", "8644012024120105", "8644012024120108"}


def test_a_file_missing_a_column_imports_nothing(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "no_phone.csv"
    with GOOD_CSV.open(encoding="utf-8") as source, path.open("w", encoding="utf-8") as target:
        writer = csv.writer(target)
        for row in csv.reader(source):
            writer.writerow(row[:7] + row[8:])  # drop the phone column
    report = import_policy_file(db, path)
    assert _counts(report) == (0, 0, 0, 6)
    assert [describe_row(p) for p in report.problems] == [
        "line 1: the header lacks column(s) phone: no row imported"
    ]
    assert _policy_count(db) == 0


def test_xlsx_holds_the_same_policies_as_csv(db: Database, tmp_path: Path) -> None:
    """Spreadsheet cells (real dates, numeric phones) import as the CSV text does."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    with GOOD_CSV.open(encoding="utf-8") as source:
        rows = list(csv.reader(source))
    sheet.append(rows[0])
    for row in rows[1:]:
        cells: list[object] = list(row)
        cells[5] = datetime.fromisoformat(row[5])  # birth date as an Excel date
        cells[10] = int(row[10])  # cooling-off days as a number
        if row[7].isdigit():
            cells[7] = int(row[7])  # phone typed as a number
        sheet.append(cells)
    path = tmp_path / "policies.xlsx"
    workbook.save(path)
    assert _counts(import_policy_file(db, GOOD_CSV)) == (6, 0, 0, 0)
    assert _counts(import_policy_file(db, path)) == (0, 0, 6, 0)


def test_gb18030_csv_from_excel_is_read(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes(MIXED_CSV.read_text(encoding="utf-8").encode("gb18030"))
    assert _counts(import_policy_file(db, path)) == (3, 0, 0, 6)


def _zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("policies.txt", b"policy_no\n", "not a .csv or .xlsx file"),
        ("missing.csv", None, "No such file"),
        ("empty.csv", b"", "no known column"),
        ("broken.xlsx", b"not a zip", "not a readable .xlsx workbook"),
        ("other.xlsx", _zip_without_workbook(), "not a readable .xlsx workbook"),
        ("binary.csv", b"\xff\xfe\x00\x81\x30", "neither UTF-8 nor GB18030"),
    ],
)
def test_unreadable_files_raise_one_clear_error(
    db: Database, tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(PolicyFileError, match=message):
        import_policy_file(db, path)
    assert _policy_count(db) == 0


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("holder_id_last4", "40X2", "not the last four of an ID number"),
        ("holder_gender", "未知", "is not a gender"),
        ("cooling_off_days", "5", "greater than or equal to 15"),
        ("cooling_off_days", "十五", "valid integer"),
        ("holder_birth_date", "1899-12-31", "not a plausible birth date"),
        ("holder_birth_date", "2024-11-02", "is not before sign_date 2024-11-01"),
        ("policy_no", "保单一", "not a policy number"),
        ("holder_name", "", "missing value"),
    ],
)
def test_each_bad_value_names_its_column(
    db: Database, tmp_path: Path, column: str, value: str, message: str
) -> None:
    with GOOD_CSV.open(encoding="utf-8") as source:
        header, first, *_ = list(csv.reader(source))
    first[header.index(column)] = value
    path = tmp_path / "one.csv"
    with path.open("w", encoding="utf-8", newline="") as target:
        csv.writer(target).writerows([header, first])
    report = import_policy_file(db, path)
    assert _counts(report) == (0, 0, 0, 1)
    assert describe_row(report.problems[0]).startswith(f"line 2: column {column}: ")
    assert message in describe_row(report.problems[0])
