"""Phone changes stored by `huifang policies phone-changes` and read by `huifang phone-cues`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from phone_cues_testkit import change, policy, write_change_file, write_import_file

from huifang.cli import main

# 张桂兰's number changes two days after signing (a cue), 李建国's fifteen days after (none
# within the default 7 days); the policies sit on different ranges so only change cues appear.
POLICIES = [
    policy(1, "王秀英", "402X", "13812345601", 4),
    policy(2, "李建国", "0315", "13923457702", 5),
    policy(3, "张桂兰", "2268", "13712349903", 6),
]
CHANGES = [change(3, "13712349903", "15118886420", 8), change(2, "13923457702", "13500000000", 20)]
SINCE = "2024-11-01"


def _database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    url = f"sqlite:///{tmp_path / 'stored.db'}"
    file = write_import_file(tmp_path / "policies.csv", POLICIES)
    assert main(["policies", "import", str(file), "--db-url", url]) == 0
    capsys.readouterr()
    return url


def _cues(url: str, capsys: pytest.CaptureFixture[str], *extra: str) -> list[dict[str, Any]]:
    capsys.readouterr()
    assert main(["phone-cues", "--since", SINCE, "--json", *extra, "--db-url", url]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_stored_changes_give_the_cue_without_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _database(tmp_path, capsys)
    assert _cues(url, capsys) == []
    changes = write_change_file(tmp_path / "changes.csv", CHANGES)
    assert main(["policies", "phone-changes", str(changes), "--db-url", url]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{changes}: 1 phone-cue flag(s) raised (the review console lists them)",
        f"{changes}: imported 2, unchanged 0, rejected 0",
    ]
    cues = _cues(url, capsys)
    assert [(c["cue"], c["policies"], c["span_days"]) for c in cues] == [
        ("changed_after_purchase", ["8644012024100003"], 2)
    ]
    assert cues[0]["numbers"] == ["137****9903", "151****6420"]
    longer = _cues(url, capsys, "--change-days", "20")
    assert sorted(c["policies"][0] for c in longer) == ["8644012024100002", "8644012024100003"]
    capsys.readouterr()
    assert main(["policies", "show", "8644012024100003", "--db-url", url]) == 0
    assert json.loads(capsys.readouterr().out)["phone_changes"] == [
        {"old_phone": "137****9903", "new_phone": "151****6420",
         "changed_at": "2024-11-08T10:30:00+08:00", "source": "changes.csv"},
    ]  # fmt: skip
    assert main(["policies", "show", "8644012024100003", "--unmasked", "--db-url", url]) == 0
    [shown] = json.loads(capsys.readouterr().out)["phone_changes"]
    assert (shown["old_phone"], shown["new_phone"]) == ("13712349903", "15118886420")


def test_a_change_both_stored_and_in_a_file_counts_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _database(tmp_path, capsys)
    changes = write_change_file(tmp_path / "changes.csv", CHANGES)
    assert main(["policies", "phone-changes", str(changes), "--db-url", url]) == 0
    assert main(["policies", "phone-changes", str(changes), "--db-url", url]) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith("imported 0, unchanged 2, rejected 0")
    assert len(_cues(url, capsys, "--changes", str(changes))) == 1


def test_bad_rows_are_named_by_line_exit_2_and_the_good_rows_still_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _database(tmp_path, capsys)
    path = tmp_path / "changes.csv"
    path.write_text(
        "保单号,原号码,新号码,变更时间\n"
        "8644012024100003,13712349903,15118886420,2024-11-08T10:30:00\n"
        "8644012024100001,13812345601,12345,2024-11-05\n"
        "8644012024100002,13923457702,13923457702,2024-11-06\n",
        encoding="utf-8",
    )
    assert main(["policies", "phone-changes", str(path), "--db-url", url]) == 2
    out, err = capsys.readouterr()
    assert out.splitlines()[-1] == f"{path}: imported 1, unchanged 0, rejected 2"
    assert err.splitlines() == [
        f"huifang: error: {path}: line 3: phone number '12345' is neither a mobile number "
        "(1[3-9] + 9 digits) nor a landline with its area code (0 + 2-3 digits, then 7-8 digits)",
        f"huifang: error: {path}: line 4: the new number is the old one",
    ]
    assert [c["policies"] for c in _cues(url, capsys)] == [["8644012024100003"]]


def test_an_unreadable_change_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _database(tmp_path, capsys)
    missing = tmp_path / "nowhere.csv"
    assert main(["policies", "phone-changes", str(missing), "--db-url", url]) == 2
    assert capsys.readouterr().err.startswith(f"huifang: error: {missing}: cannot read")
