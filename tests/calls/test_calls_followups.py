"""A call's follow-ups on the call path itself (CallRun → CallRecorder, as `huifang call`,
`serve` and campaigns store them): a surrender request goes to policy service, a complaint opens
the complaint workflow and the robot's promise becomes a task; every clock counts by the
holiday calendar the settings name (HUIFANG_REVIEW_HOLIDAYS_FILE: the official notice with
its 调休 working days), not only the bundled one."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from callback_fakes import ScriptedEngine
from sqlalchemy import select

from huifang.calls.pipeline import CallPipeline
from huifang.calls.record import start_call_record
from huifang.settings import Settings, deadline_rules
from ivr.events import CallEnded
from ivr.outcome import CallOutcome
from scripts_zh.promises import promises_in
from storage.complaints import open_complaint
from storage.customer_promises import promise_due
from storage.database import Database, open_database
from storage.models import CallDirection, Policy, ProblemCase
from storage.policy_import import import_policy_file
from storage.policy_service import request_surrender
from storage.policy_view import policy_record
from storage.service_models import (
    Complaint,
    ComplaintChannel,
    ComplaintKind,
    CustomerPromise,
    ServiceRequest,
)
from storage.working_days import load_calendar

sys.path.insert(0, str(Path(__file__).parents[1] / "storage"))
from storage_testkit import GOOD_CSV, run_dialogue

CST = ZoneInfo("Asia/Shanghai")
POLICY = "8644012024110001"
FIRST_FIVE = ["是我", "一九六五年三月八号", "是我自己签的", "看过了，都明白", "清楚"]
ANSWERED = CallEnded("c1", CallOutcome.COMPLETED, 200, "OK", True, 30.0, None)
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


def test_a_call_opens_its_follow_ups_by_the_configured_calendar(
    tmp_path: Path, database: Database,
) -> None:
    # A calendar whose next six weeks are all days off: a clock counted by it falls after
    # them; one counted by the bundled calendar would fall within days.
    today = datetime.now(CST).date()
    off = [today + timedelta(days=n) for n in range(-2, 43)]
    calendar = tmp_path / "holidays.tsv"
    calendar.write_text("".join(f"{day.isoformat()}\t休\t停业\n" for day in off), "utf-8")
    rules = deadline_rules(_settings(calendar))
    with database.session() as session:
        policy = session.scalars(select(Policy).where(Policy.policy_no == POLICY)).one()
        record = policy_record(policy)
        policy_id = policy.id
    events = run_dialogue(record, [*FIRST_FIVE, "我要退保，业务员骗我"])
    call_id = start_call_record(database, policy_id, CallDirection.OUTBOUND, "sip:c@x").call_id

    async def scenario() -> None:
        pipeline = CallPipeline(ScriptedEngine(), None, database=database, rules=rules)
        try:
            async with pipeline.call(call_id, record) as run:
                for event in events:
                    run.on_session_event(event)
                run.ended = ANSWERED
        finally:
            pipeline.close()

    asyncio.run(scenario())
    last_off = off[-1]
    with database.session() as session:
        (request,) = session.scalars(select(ServiceRequest)).all()
        assert request.call_id == call_id and "我要退保" in request.text
        assert request.accept_due > last_off
        (complaint,) = session.scalars(select(Complaint)).all()
        assert complaint.call_id == call_id and "业务员骗我" in complaint.summary
        assert complaint.handle_due > last_off
        (task,) = session.scalars(select(CustomerPromise)).all()
        assert task.call_id == call_id and task.due_at.astimezone(CST).date() > last_off
        # Their own workflows took the surrender item: no ordinary 15-day problem case.
        assert session.scalars(select(ProblemCase)).all() == []
