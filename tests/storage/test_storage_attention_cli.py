"""`huifang attention …`, and the flags `huifang policies import|show` report."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from attention_testkit import Sale, write_sales
from storage_testkit import GOOD_CSV

from huifang.cli import main
from storage.audit import audit_entries
from storage.database import open_database

# Every add names its ground (代签名: tampered data); revocations say they were checked.
GROUND = ("--ground", "tampered_data")
ADD = ("attention", "add", *GROUND)
ADD_ = ("add", *GROUND)
CHECKED = ("--basis", "verification")
REVOKE_1 = ("attention", "revoke", "1", *CHECKED)


def _url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'attention.db'}"


def _run(tmp_path: Path, *args: str) -> int:
    return main([*args, "--db-url", _url(tmp_path)])


def _err(capsys: pytest.CaptureFixture[str]) -> str:
    return capsys.readouterr().err.strip()


def _show(tmp_path: Path, capsys: pytest.CaptureFixture[str], what: str, key: str) -> Any:
    capsys.readouterr()
    assert _run(tmp_path, what, "show", key) == 0
    return json.loads(capsys.readouterr().out)


def test_add_observe_revoke_list_and_show(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add = [*ADD, "--salesperson", "李明", "--within-branch", "广东分公司"]
    assert (
        _run(tmp_path, *add, "--reason", "客户投诉代签名", "--date", "2024-11-01", "--by", "王芳")
        == 0
    )
    assert capsys.readouterr().out.strip() == (
        "entry 1: salesperson 李明 (广东分公司) reported from 2024-11-01; 0 policies flagged"
    )
    assert _run(tmp_path, *ADD, "--branch", "四川分公司", "--reason", "投诉集中") == 0
    assert _run(tmp_path, "attention", "rectify", "1", "--reason", "录音属实", "--by", "陈刚") == 0
    assert _run(tmp_path, "attention", "observe", "1", "--reason", "整改到位", "--by", "陈刚") == 0
    assert _run(tmp_path, "attention", "revoke", "2", *CHECKED, "--reason", "查无实据") == 0
    capsys.readouterr()
    assert _run(tmp_path, "attention", "list") == 0
    table = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert table[0] == [
        "id", "status", "subject", "name", "within_branch", "effective_from", "revoked_on"
    ]  # fmt: skip
    assert [row[:5] for row in table[1:]] == [
        ["1", "under_observation", "salesperson", "李明", "广东分公司"],
        ["2", "revoked", "branch", "四川分公司", "-"],
    ]
    assert _run(tmp_path, "attention", "list", "--status", "revoked", "--json") == 0
    [revoked] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert (revoked["id"], revoked["reason"]) == (2, "查无实据")
    shown = _show(tmp_path, capsys, "attention", "1")
    assert shown["label"] == "业务员李明（广东分公司）"
    assert [(h["from"], h["to"], h["reason"], h["by"]) for h in shown["history"]] == [
        (None, "reported", "客户投诉代签名", "王芳"),
        ("reported", "rectifying", "录音属实", "陈刚"),
        ("rectifying", "under_observation", "整改到位", "陈刚"),
    ]
    assert (shown["ground"], shown["severity"]) == ("tampered_data", "minor")
    assert shown["measures"] == ["strict_callback", "more_questions"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["observe", "7", "--reason", "x"], "no special-attention entry 7"),
        (["show", "7"], "no special-attention entry 7"),
        (["revoke", "1", *CHECKED, "--reason", " "], "a reason is required for every change"),
        ([*ADD_, "--team", "天河一组", "--reason", ""], "a reason is required for every change"),
        ([*ADD_, "--salesperson", "李明", "--reason", "again"], "already on the list as entry 1"),
        ([*ADD_, "--team", "天河一组", "--reason", "x", "--date", "2999-01-01"], "in the future"),
    ],
)
def test_bad_requests_exit_2_with_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert _run(tmp_path, *ADD, "--salesperson", "李明", "--reason", "投诉") == 0
    capsys.readouterr()
    assert _run(tmp_path, "attention", *args) == 2
    err = _err(capsys)
    assert err.startswith("huifang: error: attention: ") and message in err
    assert len(err.splitlines()) == 1


def test_an_illegal_transition_exits_2_and_keeps_the_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(tmp_path, *ADD, "--team", "天河一组", "--reason", "投诉") == 0
    assert _run(tmp_path, *REVOKE_1, "--reason", "核查无违规") == 0
    capsys.readouterr()
    assert _run(tmp_path, "attention", "observe", "1", "--reason", "复查") == 2
    assert _err(capsys) == (
        "huifang: error: attention: entry 1 is revoked: it cannot move to under_observation "
        "(allowed: none); a revoked subject is reported again as a new entry"
    )
    assert _show(tmp_path, capsys, "attention", "1")["status"] == "revoked"


def test_each_change_is_in_the_audit_trail_under_its_operator(tmp_path: Path) -> None:
    add = [*ADD, "--team", "天河一组", "--reason", "投诉", "--by", "王芳"]
    assert _run(tmp_path, *add) == 0
    assert _run(tmp_path, "attention", "rectify", "1", "--reason", "属实", "--by", "陈刚") == 0
    assert _run(tmp_path, *ADD, "--team", "天河一组", "--reason", "重复") == 2
    assert _run(tmp_path, "attention", "rectify", "1", "--reason", "再次", "--by", "陈刚") == 2
    db = open_database(_url(tmp_path))
    try:
        with db.session() as session:
            trail = list(reversed(audit_entries(session, entity="attention_entry")))
            rows = [(e.action, e.actor, e.actor_id, e.entity_id) for e in trail]
            statuses = [(e.before and e.before["status"], e.after and e.after["status"])
                        for e in trail]  # fmt: skip
    finally:
        db.close()
    assert rows == [("attention.report", "王芳", None, 1), ("attention.rectify", "陈刚", None, 1)]
    assert statuses == [(None, "reported"), ("reported", "rectifying")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([*ADD_, "--team", "x", "--reason", "y", "--date", "2024-13-01"], "not a date"),
        (["observe", "abc", "--reason", "y"], "not an entry id"),
        ([*ADD_, "--team", "x", "--branch", "y", "--reason", "z"], "not allowed with argument"),
        ([*ADD_, "--reason", "z"], "one of the arguments"),
    ],
)
def test_unusable_arguments_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as exit_:
        _run(tmp_path, "attention", *args)
    assert exit_.value.code == 2
    assert message in _err(capsys)


def test_import_flags_a_listed_sellers_policies_and_show_lists_the_flags(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add = [*ADD, "--salesperson", "李明", "--date", "2024-11-02"]
    assert _run(tmp_path, *add, "--reason", "客户投诉代签名") == 0
    capsys.readouterr()
    assert _run(tmp_path, "policies", "import", str(GOOD_CSV)) == 0
    out = capsys.readouterr().out
    assert "1 special-attention flag(s) raised" in out
    assert out.strip().endswith("imported 6, updated 0, unchanged 0, rejected 0")
    [flag] = _show(tmp_path, capsys, "policies", "8644012024110002")["flags"]
    assert flag["kind"] == "special_attention" and flag["entry"] == 1
    assert flag["reason"] == "业务员李明自2024-11-02起列入特别关注名单：客户投诉代签名"
    assert flag["entry_status"] == "reported"
    assert _show(tmp_path, capsys, "policies", "8644012024110001")["flags"] == []
    assert _show(tmp_path, capsys, "attention", "1")["flagged_policies"] == ["8644012024110002"]


def test_listing_a_team_flags_its_open_policies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    today = date.today()
    sales = [
        Sale("P-RECENT", today - timedelta(days=2), team="天河二组"),
        Sale("P-OTHER", today - timedelta(days=2), team="天河一组"),
    ]
    assert _run(tmp_path, "policies", "import", str(write_sales(tmp_path / "s.csv", sales))) == 0
    since = (today - timedelta(days=5)).isoformat()
    capsys.readouterr()
    assert (
        _run(tmp_path, *ADD, "--team", "天河二组", "--reason", "x", "--date", since)
        == 0
    )
    assert capsys.readouterr().out.strip().endswith("; 1 policies flagged")
    assert [f["entry"] for f in _show(tmp_path, capsys, "policies", "P-RECENT")["flags"]] == [1]
    assert _show(tmp_path, capsys, "policies", "P-OTHER")["flags"] == []
