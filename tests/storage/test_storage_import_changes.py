"""Finding 4 and 8 of issue 16: a re-import never overwrites a policy silently — every change
is recorded with its source and an audit entry, a changed phone becomes a stored phone change
(so the "number changed after purchase" cue survives), for `policies import` and `campaign
import` alike; a damaged workbook is one error line, nothing imported."""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select
from storage_testkit import GOOD_CSV

from huifang.cli import main
from storage.attention_models import PhoneChangeRecord
from storage.database import open_database
from storage.models import Policy
from storage.review_models import AuditEntry

CHANGED_NO = "8644012024110001"
OLD_PHONE, NEW_PHONE = "13812345678", "13900001111"


def _changed_copy(folder: Path) -> Path:
    """The good file again, with one policy's phone and holder name changed."""
    rows = list(csv.reader(GOOD_CSV.read_text(encoding="utf-8").splitlines()))
    header = rows[0]
    for row in rows[1:]:
        if row[0] == CHANGED_NO:
            row[header.index("phone")] = NEW_PHONE
            row[header.index("holder_name")] = "王秀音"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    path = folder / "policies_corrected.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


@pytest.mark.parametrize("command", [["policies", "import"], ["campaign", "import"]])
def test_a_changed_phone_is_a_stored_change_with_source_and_audit(
    tmp_path: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'changes.db'}"
    assert main([*command, str(GOOD_CSV), "--db-url", url]) == 0
    changed = _changed_copy(tmp_path)
    assert main([*command, str(changed), "--db-url", url]) == 0
    assert "updated 1" in capsys.readouterr().out
    assert main([*command, str(changed), "--db-url", url]) == 0  # again: nothing new
    db = open_database(url)
    try:
        with db.session() as session:
            policy = session.scalars(select(Policy).where(Policy.policy_no == CHANGED_NO)).one()
            assert (policy.phone, policy.holder_name) == (NEW_PHONE, "王秀音")
            (change,) = session.scalars(select(PhoneChangeRecord)).all()
            assert (change.policy_no, change.old_phone, change.new_phone) == (
                CHANGED_NO, OLD_PHONE, NEW_PHONE)  # fmt: skip
            said = {"policies": "保单导入", "campaign": "预回访导入"}[command[0]]
            assert change.source == f"{said} {changed.name}"
            (entry,) = session.scalars(
                select(AuditEntry).where(AuditEntry.action == "policy.update")
            ).all()
            assert (entry.entity, entry.entity_id) == ("policy", policy.id)
            assert entry.before == {"phone": "138****5678", "holder_name": "王秀英"}
            assert entry.after == {"phone": "139****1111", "holder_name": "王秀音",
                                   "source": change.source}  # fmt: skip
            assert entry.actor.startswith("os:")
    finally:
        db.close()
    capsys.readouterr()
    assert main(["policies", "show", CHANGED_NO, "--db-url", url]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["phone_changes"][0]["new_phone"] == "139****1111"


def test_the_changed_after_purchase_cue_survives_a_reimport(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'cue.db'}"
    db = open_database(url)
    try:
        from storage.policy_import import import_policy_file

        import_policy_file(db, GOOD_CSV, now=datetime(2024, 11, 6, 2, tzinfo=UTC))
        import_policy_file(db, _changed_copy(tmp_path), now=datetime(2024, 11, 8, 2, tzinfo=UTC))
    finally:
        db.close()
    capsys.readouterr()
    assert main(["phone-cues", "--since", "2024-11-01", "--json", "--db-url", url]) == 0
    cues = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    early = [cue for cue in cues if cue["cue"] == "changed_after_purchase"]
    assert early and CHANGED_NO in early[0]["policies"], cues


def _workbook(path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    rows = list(csv.reader(GOOD_CSV.read_text(encoding="utf-8").splitlines()))
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _cut_sheet(source: Path, target: Path) -> Path:
    """The workbook with sheet1.xml cut in the middle, as a broken download leaves it."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as damaged:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename.endswith("sheet1.xml"):
                data = data[: len(data) // 2]
            damaged.writestr(item, data)
    return target


def test_a_truncated_workbook_is_one_line_and_imports_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'cut.db'}"
    damaged = _cut_sheet(_workbook(tmp_path / "good.xlsx"), tmp_path / "cut.xlsx")
    truncated = tmp_path / "short.xlsx"
    shutil.copyfile(tmp_path / "good.xlsx", truncated)
    with truncated.open("r+b") as handle:
        handle.truncate(truncated.stat().st_size // 2)
    for path in (damaged, truncated):
        assert main(["policies", "import", str(path), "--db-url", url]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err, err
        assert err.startswith(f"huifang: error: {path}: "), err
    db = open_database(url)
    try:
        with db.session() as session:
            assert session.scalars(select(Policy)).all() == []
    finally:
        db.close()
