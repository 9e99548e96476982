"""Reading phone-change records from a policy-service CSV export."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from agent_assist.phone_change_file import PhoneChangeFileError, read_phone_changes
from agent_assist.phone_records import PhoneChange


def test_canonical_headers_dates_and_number_forms(tmp_path: Path) -> None:
    path = tmp_path / "changes.csv"
    path.write_text(
        "\ufeffpolicy_no,old_phone,new_phone,changed_at\n"
        " 8644012024110003 ,+86 137-0001-2345,151 1888 6420,2024-11-06T09:15:00\n"
        "8633012024110004,020-83456789,13600001234,2024-11-09\n",
        encoding="utf-8",
    )
    assert read_phone_changes(path) == [
        PhoneChange("8644012024110003", "13700012345", "15118886420", datetime(2024, 11, 6, 9, 15)),
        PhoneChange("8633012024110004", "02083456789", "13600001234", datetime(2024, 11, 9)),
    ]


def test_a_missing_cell_names_its_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "changes.csv"
    path.write_text(
        "保单号,原号码,新号码,变更时间\n8644012024110003,13700012345,,2024-11-06\n",
        encoding="utf-8",
    )
    with pytest.raises(PhoneChangeFileError, match=r"^line 2: missing new_phone \(新号码\)$"):
        read_phone_changes(path)


def test_a_bad_time_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "changes.csv"
    path.write_text(
        "保单号,原号码,新号码,变更时间\n8644012024110003,13700012345,15118886420,11月6日\n",
        encoding="utf-8",
    )
    with pytest.raises(PhoneChangeFileError, match=r"^line 2: Invalid isoformat"):
        read_phone_changes(path)


def test_an_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(PhoneChangeFileError, match="cannot read"):
        read_phone_changes(tmp_path / "nowhere.csv")
