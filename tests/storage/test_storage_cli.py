"""`huifang db …` and `huifang policies import|show` as an operator runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from storage_testkit import GOOD_CSV, MIXED_CSV

from huifang.cli import main
from huifang.settings import get_settings
from storage.migrations import head_revision


def _url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def _import(tmp_path: Path, path: Path) -> int:
    return main(["policies", "import", str(path), "--db-url", _url(tmp_path)])


def test_import_prints_a_summary_and_reimport_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _import(tmp_path, GOOD_CSV) == 0
    assert (
        capsys.readouterr().out.strip().endswith("imported 6, updated 0, unchanged 0, rejected 0")
    )
    assert _import(tmp_path, GOOD_CSV) == 0
    assert (
        capsys.readouterr().out.strip().endswith("imported 0, updated 0, unchanged 6, rejected 0")
    )


def test_bad_rows_are_one_stderr_line_each_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _import(tmp_path, MIXED_CSV) == 2
    out, err = capsys.readouterr()
    assert out.strip().endswith("imported 3, updated 0, unchanged 0, rejected 6")
    lines = err.splitlines()
    assert len(lines) == 6
    assert lines[0] == (
        f"huifang: error: {MIXED_CSV}: line 3: column 联系电话: phone number '******4000' is "
        "neither a mobile number (1[3-9] + 9 digits) nor a landline with its area code "
        "(0 + 2-3 digits, then 7-8 digits)"
    )
    assert all(line.startswith(f"huifang: error: {MIXED_CSV}: line ") for line in lines)
    # The good rows went in: importing again leaves them and reports the same bad rows.
    assert _import(tmp_path, MIXED_CSV) == 2
    assert (
        capsys.readouterr().out.strip().endswith("imported 0, updated 0, unchanged 3, rejected 6")
    )


def test_unreadable_file_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _import(tmp_path, tmp_path / "nowhere.csv") == 2
    assert capsys.readouterr().err.strip() == (
        f"huifang: error: {tmp_path / 'nowhere.csv'}: No such file or directory"
    )


def test_show_masks_unless_asked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _import(tmp_path, GOOD_CSV)
    capsys.readouterr()
    assert main(["policies", "show", "8644012024110001", "--db-url", _url(tmp_path)]) == 0
    masked = json.loads(capsys.readouterr().out)
    assert (masked["phone"], masked["holder_name"], masked["masked"]) == (
        "138****5678",
        "王秀英",
        True,
    )
    args = ["policies", "show", "8644012024110001", "--unmasked", "--db-url", _url(tmp_path)]
    assert main(args) == 0
    plain = json.loads(capsys.readouterr().out)
    assert (plain["phone"], plain["holder_id_last4"]) == ("13812345678", "402X")
    assert main(["policies", "show", "NOPE0000", "--db-url", _url(tmp_path)]) == 3
    assert "NOPE0000: no such policy" in capsys.readouterr().err


def test_db_upgrade_and_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "status", "--db-url", _url(tmp_path)]) == 1
    assert "no database at" in capsys.readouterr().err  # status never creates one
    assert main(["db", "upgrade", "--db-url", _url(tmp_path)]) == 0
    assert capsys.readouterr().out.strip() == f"database at revision {head_revision()}"
    assert main(["db", "status", "--db-url", _url(tmp_path)]) == 0


def test_an_unreachable_database_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:9/huifang"  # port 9 (discard): nothing listens
    assert main(["policies", "import", str(GOOD_CSV), "--db-url", url]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("huifang: error: database: cannot open database postgresql+psycopg://")
    assert len(err.splitlines()) == 1


def test_the_db_url_setting_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """HUIFANG_DB_URL picks the database when no --db-url is given."""
    monkeypatch.setenv("HUIFANG_DB_URL", _url(tmp_path))
    get_settings.cache_clear()
    try:
        assert main(["policies", "import", str(GOOD_CSV)]) == 0
    finally:
        get_settings.cache_clear()  # later tests read the environment as it was
    assert (tmp_path / "cli.db").exists()
