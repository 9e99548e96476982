"""`huifang cases sweep` as an operator's daily job runs it: reminders, then overdue marks,
each once; a broken holiday calendar is named by file and line."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from storage_testkit import GOOD_CSV, sqlite_db

from huifang.cli import main
from huifang.commands import cases
from huifang.settings import Settings
from storage.audit import Actor
from storage.models import CaseStatus, ProblemCase, User, UserRole
from storage.policy_import import import_policy_file
from storage.problem_cases import DeadlineRules, assign_case
from storage.repository import Repository
from storage.review_models import CaseClass
from storage.working_days import load_calendar

OPENED = datetime(2024, 9, 27, 2, 0, tzinfo=UTC)  # due 2024-10-23 after the National Day week


def _case_due_after_golden_week(tmp_path: Path) -> str:
    db = sqlite_db(tmp_path)
    import_policy_file(db, GOOD_CSV)
    with db.session() as session:
        sam = User(username="sam", password_hash="-", role=UserRole.SUPERVISOR, active=True,
                   created_at=OPENED)  # fmt: skip
        session.add(sam)
        policy = Repository(session).policy("8644012024110001")
        assert policy is not None
        case = ProblemCase(policy_id=policy.id, kind="process", reason="no_answer",
                           status=CaseStatus.OPEN, opened_at=OPENED)  # fmt: skip
        session.add(case)
        session.flush()
        assign_case(session, case, classification=CaseClass.PROCESS_VIOLATION, handler=sam,
                    actor=Actor(sam.id, "sam"), rules=DeadlineRules(load_calendar()),
                    now=OPENED)  # fmt: skip
    db.close()
    return f"sqlite:///{tmp_path / 'huifang.db'}"


def _sweep(url: str, day: str, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    assert main(["cases", "sweep", "--date", day, "--db-url", url]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_the_sweep_prints_each_reminder_and_overdue_mark_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _case_due_after_golden_week(tmp_path)
    assert _sweep(url, "2024-10-08", capsys) == []
    reminder = {"case_id": 1, "mark": "reminder", "handler": "sam", "deadline": "2024-10-23"}
    assert _sweep(url, "2024-10-18", capsys) == [reminder]
    assert _sweep(url, "2024-10-18", capsys) == []
    assert _sweep(url, "2024-10-24", capsys) == [{**reminder, "mark": "overdue"}]
    assert _sweep(url, "2024-10-25", capsys) == []


def test_a_broken_holiday_calendar_exits_2_naming_the_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    calendar = tmp_path / "holidays.tsv"
    calendar.write_text("2025-01-01\t休\t元旦\n2025-02-30\t休\t?\n", encoding="utf-8")
    settings = Settings(_env_file=None, review_holidays_file=str(calendar))
    monkeypatch.setattr(cases, "get_settings", lambda: settings)
    url = f"sqlite:///{tmp_path / 'x.db'}"
    assert main(["cases", "sweep", "--db-url", url]) == 2
    assert f"{calendar}:2: '2025-02-30' is not a YYYY-MM-DD date" in capsys.readouterr().err
