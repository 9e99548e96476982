"""`huifang attention report`: the list with each entry's ground, severity, measures and whole
history, as XLSX and as a PDF read back by a real PDF reader (pdftotext, poppler-utils)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from huifang.cli import main


def _run(tmp_path: Path, *args: str) -> int:
    return main([*args, "--db-url", f"sqlite:///{tmp_path / 'report.db'}"])


def test_the_report_holds_every_entry_with_its_history(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add = ["attention", "add", "--date", "2024-11-01", "--by", "王芳"]
    assert _run(tmp_path, *add, "--salesperson", "李明", "--ground", "exaggerated_returns",
                "--reason", "承诺保本") == 0  # fmt: skip
    assert _run(tmp_path, *add, "--team", "天河二组", "--ground", "concentrated",
                "--reason", "违规集中") == 0  # fmt: skip
    assert _run(tmp_path, "attention", "rectify", "1", "--reason", "责令整改", "--by", "陈刚") == 0
    assert _run(tmp_path, "attention", "revoke", "2", "--basis", "verification",
                "--reason", "核查录音，未发现违规", "--by", "陈刚") == 0  # fmt: skip
    pdf, xlsx = tmp_path / "名单.pdf", tmp_path / "名单.xlsx"
    assert _run(tmp_path, "attention", "report", "--out", str(pdf), "--by", "合规部张敏") == 0
    assert _run(tmp_path, "attention", "report", "--out", str(xlsx), "--by", "合规部张敏") == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith(": 2 entries")

    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout  # fmt: skip
    for said in ("特别关注名单报告", "报告人：合规部张敏", "#1 业务员李明", "夸大保险产品收益",
                 "整改（陈刚）：责令整改", "#2 团队天河二组", "违规行为集中", "核查无违规",
                 "措施：从严回访、增加话术和调查"):  # fmt: skip
        assert said in text, said

    sheet = load_workbook(xlsx).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("编号", "对象", "列入依据", "严重程度")
    steps = [(row[0], row[8], row[10]) for row in rows[1:]]
    assert steps == [(1, "发现", "承诺保本"), (1, "发现→整改", "责令整改"),
                     (2, "发现", "违规集中"), (2, "发现→撤销", "核查录音，未发现违规")]


def test_a_report_in_an_unknown_format_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(tmp_path, "attention", "report", "--out", str(tmp_path / "x.doc"),
                "--by", "张敏") == 2  # fmt: skip
    assert "say --format xlsx or pdf" in capsys.readouterr().err
