"""Finding 8 of issue 16: what used to be a traceback is one error line and a non-zero exit —
out-of-calendar KPI dates, malformed database URLs (never printing their password), and
`db status` on a SQLite path that is not there (which it must not create)."""

from __future__ import annotations

from pathlib import Path

import pytest

from huifang.cli import main


def _one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


@pytest.mark.parametrize(
    "dates",
    [
        ["--from", "0001-01-01", "--to", "0001-01-02"],
        ["--from", "9999-12-30"],
        ["--to", "0001-01-02"],
        ["--from", "2024-01-01", "--to", "9999-12-31"],
    ],
)
def test_kpi_dates_outside_the_calendar_are_one_line(
    tmp_path: Path, dates: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'kpis.db'}"
    assert main(["kpis", *dates, "--db-url", url]) == 2
    err = _one_line(capsys)
    assert "outside the calendar (2000-01-01 to 2099-12-31)" in err
    assert any(day in err for day in dates[1::2])  # named as given, not masked as a number


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://clerk:s3cret-pw@db.local:badport/huifang",
        "not a url s3cret-pw",
        "postgresql+psycopg://clerk:s3cret-pw@db.local/huifang?connect_timeout=soon",
        "://clerk:s3cret-pw@",
    ],
)
@pytest.mark.parametrize(
    "command", [["db", "status"], ["db", "upgrade"], ["policies", "show", "1"]]
)
def test_a_malformed_database_url_is_one_line_without_its_password(
    url: str, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*command, "--db-url", url]) == 1
    err = _one_line(capsys)
    assert "s3cret" not in err and err.startswith("huifang: error: database: "), err


def test_db_status_does_not_create_a_missing_sqlite_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere" / "huifang.db"
    assert main(["db", "status", "--db-url", f"sqlite:///{missing}"]) == 1
    assert f"no database at {missing}" in _one_line(capsys)
    assert not missing.exists() and not missing.parent.exists()
