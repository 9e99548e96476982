"""`huifang phone-cues` and the scan over a SQLite database filled by storage's import."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from phone_cues_testkit import change, policy, write_change_file, write_import_file

from agent_assist.phone_records import PolicyFacts
from huifang.cli import main
from storage.database import open_database
from storage.phone_cue_scan import policies_signed_between, scan_phone_cues
from storage.policy_import import import_policy_file

# 李明's three new policies on 1381234xxxx, one older one in the same range, a shared mobile
# across two salespeople, and 张桂兰 whose number changes two days after signing.
POLICIES = [
    policy(1, "王秀英", "402X", "13812345601", 4),
    policy(2, "李建国", "0315", "13812347702", 5),
    policy(3, "张桂兰", "2268", "13812349903", 6),
    replace(policy(4, "陈静", "7731", "13812340004", 1), sign_date=date(2024, 10, 20)),
    policy(5, "刘洋", "1180", "18620001111", 8, "张伟"),
    policy(6, "赵敏", "5180", "186-2000-1111", 9, "陈芳"),
]
CHANGES = [change(3, "13812349903", "15118886420", 8), change(2, "13812347702", "13500000000", 20)]
SINCE = "2024-11-01"


def _database(tmp_path: Path, policies: list[PolicyFacts] = POLICIES) -> str:
    """A SQLite URL whose database holds the policies, imported as an operator would."""
    url = f"sqlite:///{tmp_path / 'cues.db'}"
    file = write_import_file(tmp_path / "policies.csv", policies)
    assert main(["policies", "import", str(file), "--db-url", url]) == 0
    return url


def _cues(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines()]


def test_json_lines_one_per_cue_most_urgent_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _database(tmp_path)
    changes = write_change_file(tmp_path / "changes.csv", CHANGES)
    capsys.readouterr()
    args = ["phone-cues", "--since", SINCE, "--changes", str(changes), "--json", "--db-url", url]
    assert main(args) == 0
    out = capsys.readouterr().out
    cues = _cues(out)
    assert [(c["cue"], c["severity"]) for c in cues] == [
        ("number_range", "medium"),
        ("changed_after_purchase", "medium"),
        ("shared_number", "low"),
    ]
    # The October policy is outside --since; the change after 7 days is no cue.
    assert cues[0]["policies"] == ["8644012024100001", "8644012024100002", "8644012024100003"]
    assert cues[1]["policies"] == ["8644012024100003"]
    assert cues[2]["numbers"] == ["186****1111"]
    assert not re.search(r"1[3-9]\d{9}", out), "an unmasked mobile number was printed"


def test_an_earlier_since_takes_in_the_older_policy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _database(tmp_path)
    capsys.readouterr()
    assert main(["phone-cues", "--since", "2024-10-01", "--json", "--db-url", url]) == 0
    ranges = [c for c in _cues(capsys.readouterr().out) if c["cue"] == "number_range"]
    assert [len(c["policies"]) for c in ranges] == [4]


def test_text_lines_and_a_longer_change_window(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _database(tmp_path)
    changes = write_change_file(tmp_path / "changes.csv", CHANGES)
    capsys.readouterr()
    args = ["phone-cues", "--since", SINCE, "--changes", str(changes), "--change-days", "20"]
    assert main([*args, "--db-url", url]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4  # 李建国's change on day 15 now counts too
    assert lines[0].startswith("[medium] number_range 8644012024100001,")
    assert any("投保后第15天将联系电话由138****7702变更为135****0000" in line for line in lines)


def test_no_policies_in_the_window_prints_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _database(tmp_path)
    capsys.readouterr()
    assert main(["phone-cues", "--since", "2025-01-01", "--json", "--db-url", url]) == 0
    assert capsys.readouterr().out == ""


def test_a_bad_change_file_is_one_error_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _database(tmp_path)
    bad = tmp_path / "changes.csv"
    bad.write_text("保单号,原号码,新号码,变更时间\n8644012024100003,13812349903,12345,2024-11-08\n")
    capsys.readouterr()
    assert main(["phone-cues", "--since", SINCE, "--changes", str(bad), "--db-url", url]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"huifang: error: {bad}: line 2: phone number '12345' is neither")


def test_the_scan_reads_the_window_and_writes_nothing(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'scan.db'}")
    try:
        import_policy_file(db, write_import_file(tmp_path / "policies.csv", POLICIES))
        with db.sessions() as session:
            facts = policies_signed_between(session, date(2024, 11, 1), date(2024, 11, 8))
            cues = scan_phone_cues(session, date(2024, 11, 1), CHANGES)
            assert not (session.new or session.dirty or session.deleted)
    finally:
        db.close()
    assert [f.policy_no for f in facts] == [p.policy_no for p in POLICIES[:3] + POLICIES[4:5]]
    assert facts[0] == POLICIES[0]  # the adapter gives back what was imported
    assert len(cues) == 3
