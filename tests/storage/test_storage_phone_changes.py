"""Storing phone changes from a policy-service export: bad rows out, re-import idempotent."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from attention_testkit import NOW
from sqlalchemy import select
from storage_testkit import sqlite_db

from agent_assist.phone_change_file import PhoneChangeFileError
from agent_assist.phone_records import PhoneChange
from storage.attention_models import PhoneChangeRecord
from storage.database import Database
from storage.phone_changes import import_phone_change_file, stored_phone_changes

HEADER = "保单号,原号码,新号码,变更时间\n"
GOOD = (
    "8644012024110003,138 1234 9903,151-1888-6420,2024-11-08T10:30:00\n"
    "8644012024110002,13812347702,020-83456789,2024-11-06\n"
)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = sqlite_db(tmp_path)
    yield database
    database.close()


def _file(tmp_path: Path, body: str, name: str = "changes.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def _records(db: Database) -> list[PhoneChangeRecord]:
    with db.session() as session:
        return list(session.scalars(select(PhoneChangeRecord).order_by(PhoneChangeRecord.id)))


def test_changes_are_stored_canonical_in_utc_with_their_source(
    db: Database, tmp_path: Path
) -> None:
    report = import_phone_change_file(db, _file(tmp_path, GOOD), now=NOW)
    assert (report.imported, report.unchanged, report.rejected, report.problems) == (2, 0, 0, [])
    first, second = _records(db)
    assert (first.policy_no, first.old_phone, first.new_phone) == (
        "8644012024110003", "13812349903", "15118886420"
    )  # fmt: skip
    # 10:30 Beijing time is 02:30 UTC.
    assert first.changed_at == datetime(2024, 11, 8, 2, 30, tzinfo=UTC)
    assert (first.source, first.imported_at) == ("changes.csv", NOW)
    assert second.new_phone == "02083456789"


def test_reading_back_gives_beijing_times_oldest_first(db: Database, tmp_path: Path) -> None:
    import_phone_change_file(db, _file(tmp_path, GOOD), now=NOW)
    with db.session() as session:
        changes = stored_phone_changes(session, ["8644012024110003", "8644012024110002", "NONE"])
    assert changes == [
        PhoneChange("8644012024110002", "13812347702", "02083456789", datetime(2024, 11, 6)),
        PhoneChange(
            "8644012024110003", "13812349903", "15118886420", datetime(2024, 11, 8, 10, 30)
        ),
    ]


def test_reimport_changes_nothing_and_a_repeated_line_counts_once(
    db: Database, tmp_path: Path
) -> None:
    path = _file(tmp_path, GOOD + GOOD.splitlines(keepends=True)[0])
    first = import_phone_change_file(db, path, now=NOW)
    assert (first.imported, first.unchanged, first.rejected) == (2, 1, 0)
    again = import_phone_change_file(db, path, source="保全系统", now=NOW)
    assert (again.imported, again.unchanged, again.rejected) == (0, 3, 0)
    assert [r.source for r in _records(db)] == ["changes.csv", "changes.csv"]


def test_bad_rows_are_reported_by_line_and_kept_out(db: Database, tmp_path: Path) -> None:
    body = (
        "8644012024110003,13812349903,15118886420,2024-11-08T10:30\n"  # line 2: good
        "8644012024110004,13812349903,,2024-11-08\n"  # 3: no new number
        "8644012024110005,1381234990,15118886420,2024-11-08\n"  # 4: ten digits
        "8644012024110006,13812349903,138 1234 9903,2024-11-08\n"  # 5: same number
        "8644012024110007,13812349903,15118886420,11月8日\n"  # 6: not a time
        "8644012024110008,13812349903,15118886420,2024-11-11T09:00\n"  # 7: after NOW
    )
    report = import_phone_change_file(db, _file(tmp_path, body), now=NOW)
    assert (report.imported, report.unchanged, report.rejected) == (1, 0, 5)
    lines = [problem.split(":", 1)[0] for problem in report.problems]
    assert sorted(lines) == ["line 3", "line 4", "line 5", "line 6", "line 7"]
    text = "\n".join(report.problems)
    assert "line 3: missing new_phone (新号码)" in text
    assert "line 4: phone number '1381234990' is neither a mobile" in text
    assert "line 5: the new number is the old one" in text
    assert "line 7: change time 2024-11-11T09:00:00 is in the future" in text
    assert [r.policy_no for r in _records(db)] == ["8644012024110003"]


def test_a_header_without_a_needed_column_rejects_every_row_once(
    db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "changes.csv"
    path.write_text("保单号,原号码,新号码\n8644012024110003,13812349903,15118886420\n", "utf-8")
    report = import_phone_change_file(db, path, now=NOW)
    assert report.problems == ["line 1: the header lacks changed_at (变更时间): no row read"]
    assert (report.imported, report.rejected) == (0, 1)


def test_an_unreadable_file_raises_and_stores_nothing(db: Database, tmp_path: Path) -> None:
    with pytest.raises(PhoneChangeFileError, match="cannot read"):
        import_phone_change_file(db, tmp_path / "nowhere.csv", now=NOW)
    assert _records(db) == []
