"""`huifang analyze --text FILE`: one JSON object per line, exit 2 on unreadable input."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from huifang.commands import analyze


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="huifang")
    analyze.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    status: int = args.run(args)
    return status


def test_each_line_becomes_one_json_object(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "lines.txt"
    source.write_text("业务员说保本保息\n我知道不保本\n\n", encoding="utf-8")
    assert run(["analyze", "--text", str(source)]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["text"] for r in records] == ["业务员说保本保息", "我知道不保本", ""]
    assert records[0]["flags"] == [
        {"rule": "induce.guaranteed_return", "category": "诱导", "severity": "high", "span": [4, 8]}
    ]
    assert records[1]["flags"] == [] and records[2]["flags"] == []


def test_output_is_not_ascii_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "one.txt"
    source.write_text("签名是业务员代签的\n", encoding="utf-8")
    run(["analyze", "--text", str(source), "--leg", "customer"])
    assert "代签" in capsys.readouterr().out


def test_agent_leg_applies_agent_rules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from huifang.settings import get_settings

    # The rules alone: the customer's report-of-concealment rule is not an agent rule (the
    # learned classifier, on by default, may still read this agent line as 隐瞒).
    source = tmp_path / "agent.txt"
    source.write_text("业务员没说有什么情况不赔\n", encoding="utf-8")
    monkeypatch.setenv("HUIFANG_LEARNED_FLAGS", "false")
    get_settings.cache_clear()
    try:
        run(["analyze", "--text", str(source), "--leg", "agent"])
    finally:
        get_settings.cache_clear()
    assert json.loads(capsys.readouterr().out)["flags"] == []


def test_agent_asking_the_callback_questions_is_not_flagged_by_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "agent.txt"
    source.write_text("业务员有没有跟您说过什么情况下不赔？\n这个产品不保本，收益不确定\n",
                      encoding="utf-8")
    assert run(["analyze", "--text", str(source), "--leg", "agent"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [record["flags"] for record in records] == [[], []]


def test_missing_file_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "absent.txt"
    assert run(["analyze", "--text", str(missing)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and str(missing) in captured.err


def test_undecodable_file_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "gbk.txt"
    broken.write_bytes("保本".encode("gbk"))
    assert run(["analyze", "--text", str(broken)]) == 2
    assert str(broken) in capsys.readouterr().err


def test_learned_flags_setting_adds_the_classifier(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from huifang.settings import get_settings

    source = tmp_path / "one.txt"
    source.write_text("他拿银行的利率表跟这个比\n", encoding="utf-8")
    monkeypatch.setenv("HUIFANG_LEARNED_FLAGS", "true")
    get_settings.cache_clear()
    try:
        assert run(["analyze", "--text", str(source), "--leg", "customer"]) == 0
    finally:
        get_settings.cache_clear()
    record = json.loads(capsys.readouterr().out)
    assert [flag["category"] for flag in record["flags"]] == ["诱导"]
