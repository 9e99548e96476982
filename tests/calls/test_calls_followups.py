"""Every follow-up clock counts by the holiday calendar the settings name
(HUIFANG_REVIEW_HOLIDAYS_FILE: the official notice with its 调休 working days), not only the
bundled one."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from huifang.settings import Settings, deadline_rules
from scripts_zh.promises import promises_in
from storage.complaints import open_complaint
from storage.customer_promises import promise_due
from storage.database import Database, open_database
from storage.models import Policy
from storage.policy_import import import_policy_file
from storage.policy_service import request_surrender
from storage.service_models import ComplaintChannel, ComplaintKind
from storage.working_days import load_calendar

sys.path.insert(0, str(Path(__file__).parents[1] / "storage"))
from storage_testkit import GOOD_CSV

CST = ZoneInfo("Asia/Shanghai")
POLICY = "8644012024110001"
# A year's notice as the State Council publishes it, in the calendar file's format: the
# Spring Festival 02-08..02-12 off, Saturday 02-06 worked instead (调休上班).
NOTICE = """# 国务院办公厅关于部分节假日安排的通知（测试用）
date\tkind\tname
2027-02-06\t班\t春节调休
2027-02-08\t休\t春节
2027-02-09\t休\t春节
2027-02-10\t休\t春节
2027-02-11\t休\t春节
2027-02-12\t休\t春节
"""


def _settings(calendar: Path) -> Settings:
    return Settings(review_holidays_file=str(calendar))


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = open_database(f"sqlite:///{tmp_path / 'calls.db'}")
    import_policy_file(db, GOOD_CSV)
    yield db
    db.close()


def test_the_official_calendar_file_with_a_make_up_saturday_times_every_clock(
    tmp_path: Path, database: Database,
) -> None:
    notice = tmp_path / "holidays_2027.tsv"
    notice.write_text(NOTICE, encoding="utf-8")
    rules = deadline_rules(_settings(notice))
    assert rules.calendar.is_working_day(date(2027, 2, 6))  # a Saturday, worked
    assert not load_calendar().is_working_day(date(2027, 2, 6))  # the bundled one: no 2027
    # Friday 02-05 10:00: working days are Sat 02-06, then Mon 02-15 onwards.
    friday = datetime(2027, 2, 5, 10, tzinfo=CST).astimezone(UTC)
    with database.session() as session:
        policy = session.scalars(select(Policy).where(Policy.policy_no == POLICY)).one()
        complaint = open_complaint(
            session, summary="业务员说保本", kind=ComplaintKind.COMPLAINT,
            channel=ComplaintChannel.CALLBACK, received_at=friday, rules=rules,
            policy_id=policy.id,
        )  # fmt: skip
        # 7 working days: 02-06, 02-15, 16, 17, 18, 19, 22 (bundled: 02-16).
        assert complaint.handle_due == date(2027, 2, 22)
        request = request_surrender(session, policy, "我要退保", friday, rules)
        assert request.accept_due == date(2027, 2, 15)  # 02-06, 02-15
        assert request.material_due == date(2027, 2, 18)  # 02-06, 15, 16, 17, 18
    (promise,) = promises_in("并在三个工作日内与您联系")
    assert promise_due(promise, friday, rules) == datetime(2027, 2, 17, 0, 0, tzinfo=CST)
