"""`huifang kpis`: the same figures as the API, as text with the definitions or as JSON; a
reversed range is one error line and exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kpi_testkit import seed_holiday_history
from storage_testkit import sqlite_db

from huifang.cli import main
from huifang.commands import kpis
from huifang.settings import Settings


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    db = sqlite_db(tmp_path)
    seed_holiday_history(db)
    db.close()
    # One policy is enough to judge a change here (the default asks for 20).
    settings = Settings(_env_file=None, kpi_min_denominator=1)
    monkeypatch.setattr(kpis, "get_settings", lambda: settings)
    return f"sqlite:///{tmp_path / 'huifang.db'}"


def test_json_holds_the_figures_per_salesperson(url: str, capsys: pytest.CaptureFixture[str]
                                                ) -> None:  # fmt: skip
    args = ["kpis", "--by", "salesperson", "--from", "2026-09-28", "--to", "2026-10-11",
            "--json", "--db-url", url]  # fmt: skip
    assert main(args) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["periods"] == ["2026-W40", "2026-W41"]
    figures = {(row["period"], row["group"], f["key"]): f for row in report["rows"]
               for f in row["figures"]}  # fmt: skip
    li_invalid = figures[("2026-W40", "李四", "invalid_number_rate")]
    assert (li_invalid["numerator"], li_invalid["denominator"]) == (2, 2)
    # 张三's first-attempt rate fell from 2/3 in W40 to 0/1 in W41 (P7 hung up first).
    zhang_first = figures[("2026-W41", "张三", "first_attempt_success_rate")]
    assert (zhang_first["value"], zhang_first["previous"]) == (0, 66.67)
    assert zhang_first["sharp"] is True
    assert [d["name"] for d in report["definitions"]][:2] == ["回访成功率", "犹豫期回访成功率"]


def test_text_shows_figures_marks_and_definitions(url: str, capsys: pytest.CaptureFixture[str]
                                                  ) -> None:  # fmt: skip
    args = ["kpis", "--period", "week", "--from", "2026-10-19", "--to", "2026-11-01",
            "--db-url", url]  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "2026-W43（2026-10-19 至 2026-10-25） 全部" in out
    lines = out.splitlines()
    w44 = lines.index("2026-W44（2026-10-26 至 2026-11-01） 全部")
    # 8.3 working days on average in W43, 16 in W44 (C2, resolved late): a sharp rise.
    mean_w44 = next(line for line in lines[w44:] if "问题件处理时效（平均）" in line)
    assert "16.0 工作日" in mean_w44 and "比上期 +7.7 ▲" in mean_w44
    assert mean_w44.endswith("不达标（目标 10）")  # the default target: 10 working days
    assert "分母 期间内结案的问题件数" in out


def test_a_reversed_range_exits_2(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["kpis", "--from", "2026-10-11", "--to", "2026-09-28", "--db-url", url]
    assert main(args) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("huifang: error: --from/--to: the range ends (2026-09-28)")
