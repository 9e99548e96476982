"""`huifang classify-answer --text-file FILE`: one JSON object per line; bad file exits 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from huifang.commands import classify_answer
from huifang.commands.common import EXIT_BAD_INPUT

CLASSES = {
    "affirmative",
    "negative",
    "unsure",
    "question",
    "human",
    "surrender_or_complaint",
    "other",
}


def _run(argv: list[str]) -> int:
    """Only this command's parser, so the test does not depend on the other sub-commands."""
    import argparse

    parser = argparse.ArgumentParser(prog="huifang")
    classify_answer.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    status: int = args.run(args)
    return status


def test_prints_one_json_object_per_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = ["是的", "不是不清楚", "我要退保", "", "转人工", "清处"]
    path = tmp_path / "answers.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _run(["classify-answer", "--text-file", str(path)]) == 0
    out = capsys.readouterr().out
    assert "清处" in out  # ensure_ascii=False: Chinese stays readable
    records = [json.loads(line) for line in out.splitlines()]
    assert [set(r) for r in records] == [{"text", "class"}] * len(lines)
    assert [r["text"] for r in records] == lines
    assert all(r["class"] in CLASSES for r in records)
    assert [r["class"] for r in records][:3] == [
        "affirmative",
        "affirmative",
        "surrender_or_complaint",
    ]


def test_the_question_lets_a_repeated_clause_be_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "answers.txt"
    path.write_text("晓得，交十年嘛\n对，交五年\n", encoding="utf-8")
    assert _run(["classify-answer", "--text-file", str(path)]) == 0
    # A yes beside words nobody read is not a yes (the learned guess may name a non-yes).
    alone = [json.loads(line)["class"] for line in capsys.readouterr().out.splitlines()]
    assert "affirmative" not in alone
    question = "您的缴费期间为10年，请问您清楚吗？"
    assert _run(["classify-answer", "--text-file", str(path), "--question", question]) == 0
    asked = [json.loads(line)["class"] for line in capsys.readouterr().out.splitlines()]
    assert asked[0] == "affirmative"
    assert asked[1] != "affirmative"  # 五年 is not the question's 十年: a correction


def test_missing_file_is_one_line_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.txt"
    assert _run(["classify-answer", "--text-file", str(missing)]) == EXIT_BAD_INPUT
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1 and str(missing) in captured.err


def test_undecodable_file_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes("是的".encode("gbk"))
    assert _run(["classify-answer", "--text-file", str(path)]) == EXIT_BAD_INPUT
    assert str(path) in capsys.readouterr().err


@pytest.mark.parametrize(("learned", "expected"), [("true", "human"), ("false", "other")])
def test_the_learned_guess_follows_its_setting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    learned: str, expected: str,
) -> None:
    """转员工 is how Whisper hears 转人工 through the phone band: the shipped model knows it."""
    from huifang.settings import get_settings

    monkeypatch.setenv("HUIFANG_CALLBACK_LEARNED_ANSWERS", learned)
    get_settings.cache_clear()
    path = tmp_path / "answers.txt"
    path.write_text("转员工\n是的\n", encoding="utf-8")
    try:
        assert _run(["classify-answer", "--text-file", str(path)]) == 0
    finally:
        get_settings.cache_clear()
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["class"] for r in records] == [expected, "affirmative"]


def test_an_unreadable_answer_model_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from scripts_zh import answer_model

    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"not a model")
    monkeypatch.setattr(answer_model, "DEFAULT_MODEL_FILE", broken)
    path = tmp_path / "answers.txt"
    path.write_text("是的\n", encoding="utf-8")
    assert _run(["classify-answer", "--text-file", str(path)]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "broken.npz" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
