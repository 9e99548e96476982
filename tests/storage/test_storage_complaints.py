"""The complaint workflow's clocks and stages, policy service's deadlines and the robot's
promises, counted by hand on the holiday calendar (National Day 2026: 10-01..10-07 off,
Saturday 10-10 worked; Sunday 09-20 worked, 09-25..27 off for 中秋)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from kpi_testkit import LI, RULES, add_policy
from storage_testkit import sqlite_db

from scripts_zh.promises import Promise, PromiseUnit, promises_in
from storage.audit import Actor, audit_entries
from storage.complaints import (
    ClockName,
    ClockState,
    acknowledge,
    advance,
    clocks,
    open_complaint,
    respond,
    sweep_complaints,
)
from storage.customer_promises import promise_due
from storage.database import Database
from storage.models import Policy, User, UserRole
from storage.policy_service import (
    accept,
    material_received,
    request_material,
    request_surrender,
    sweep_service,
)
from storage.problem_cases import ReviewError
from storage.service_models import (
    ComplaintCategory,
    ComplaintChannel,
    ComplaintKind,
    ComplaintStage,
    ServiceStatus,
)

CST = ZoneInfo("Asia/Shanghai")
STAGE = ComplaintStage


def cst(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=CST)


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = sqlite_db(tmp_path)
    with database.session() as session:
        add_policy(session, "P1", date(2026, 9, 14), LI)
        for name, role in (("hana", UserRole.REVIEWER), ("sam", UserRole.SUPERVISOR),
                           ("李四", UserRole.REVIEWER)):  # fmt: skip
            session.add(User(username=name, password_hash="x", role=role,
                             created_at=cst(9, 1)))  # fmt: skip
    return database


def _user(session: object, name: str) -> tuple[User, Actor]:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    user = session.scalars(select(User).where(User.username == name)).one()
    return user, Actor(user.id, user.username)


def _state(complaint: object, name: ClockName, at: datetime) -> ClockState:
    from storage.service_models import Complaint

    assert isinstance(complaint, Complaint)
    (clock,) = [c for c in clocks(complaint, RULES, at.astimezone(UTC)) if c.name is name]
    return clock.state


def test_complaint_clocks_run_over_the_holiday_and_count_working_days(db: Database) -> None:
    with db.session() as session:
        policy = session.query(Policy).one()
        # Received Wednesday 09-30 16:00, the eve of National Day.
        complaint = open_complaint(
            session, summary="业务员说保本，我要投诉", kind=ComplaintKind.COMPLAINT,
            channel=ComplaintChannel.CALLBACK, received_at=cst(9, 30, 16).astimezone(UTC),
            rules=RULES, policy_id=policy.id,
        )  # fmt: skip
        # 24 and 48 hours are calendar hours: the holiday does not stop them.
        assert complaint.acknowledge_due == cst(10, 1, 16)
        assert complaint.respond_due == cst(10, 2, 16)
        # 7 working days: 10-08, 10-09, Sat 10-10 (调休), 10-12, 10-13, 10-14, 10-15
        # (10-09 if the holiday were a working week).
        assert complaint.handle_due == date(2026, 10, 15)
        assert _state(complaint, ClockName.ACKNOWLEDGE, cst(10, 1, 11)) is ClockState.RUNNING
        assert _state(complaint, ClockName.ACKNOWLEDGE, cst(10, 1, 12, 30)) is ClockState.DUE_SOON
        assert _state(complaint, ClockName.HANDLE, cst(10, 13)) is ClockState.RUNNING
        assert _state(complaint, ClockName.HANDLE, cst(10, 14)) is ClockState.DUE_SOON
        assert _state(complaint, ClockName.HANDLE, cst(10, 15, 23, 59)) is ClockState.DUE_SOON
        assert _state(complaint, ClockName.HANDLE, cst(10, 16, 0, 1)) is ClockState.OVERDUE
        assert _state(complaint, ClockName.FEEDBACK, cst(10, 16)) is ClockState.NOT_STARTED

        # The sweep reminds before 24 h and escalates after, once each.
        reminded = sweep_complaints(session, RULES, cst(10, 1, 13).astimezone(UTC))
        assert reminded.reminded == [(complaint.id, ClockName.ACKNOWLEDGE)]
        late = sweep_complaints(session, RULES, cst(10, 1, 17).astimezone(UTC))
        assert late.escalated == [(complaint.id, ClockName.ACKNOWLEDGE)]
        assert late.reminded == []
        again = sweep_complaints(session, RULES, cst(10, 1, 18).astimezone(UTC))
        assert again.escalated == again.reminded == []
        actions = [e.action for e in audit_entries(session, entity="complaint")]
        assert actions.count("complaint.escalate") == 1

        _, sam = _user(session, "sam")
        acknowledge(session, complaint, "已致电客户，告知已受理", sam, cst(10, 1, 17, 30))
        assert _state(complaint, ClockName.ACKNOWLEDGE, cst(10, 2)) is ClockState.MISSED
        respond(session, complaint, "提出解决方案：核实录音后答复", sam, cst(10, 2, 9))
        assert _state(complaint, ClockName.RESPOND, cst(10, 3)) is ClockState.MET


def test_complaint_stages_go_in_order_with_a_handler_who_is_not_the_seller(
    db: Database,
) -> None:
    with db.session() as session:
        policy = session.query(Policy).one()
        hana, hana_actor = _user(session, "hana")
        seller, _ = _user(session, "李四")
        _, sam = _user(session, "sam")
        complaint = open_complaint(
            session, summary="太过分了", kind=ComplaintKind.STRONG, channel=ComplaintChannel.PHONE,
            received_at=cst(10, 8).astimezone(UTC), rules=RULES, policy_id=policy.id,
        )  # fmt: skip
        with pytest.raises(ReviewError, match="next stage is 分类"):
            advance(session, complaint, STAGE.INVESTIGATING, "查", sam, RULES, now=cst(10, 8, 11))
        with pytest.raises(ReviewError) as refused:
            advance(session, complaint, STAGE.CLASSIFIED, "分", sam, RULES,
                    category=ComplaintCategory.MISLEADING_SALE, handler=seller)  # fmt: skip
        assert refused.value.code == "handler_is_seller"
        steps = [
            (STAGE.CLASSIFIED, "销售误导，交 hana 调查", cst(10, 8, 11)),
            (STAGE.INVESTIGATING, "调取投保录像", cst(10, 9)),
            # Handled Friday 10-09 16:00.
            (STAGE.HANDLED, "全额退保并对业务员追责", cst(10, 9, 16)),
        ]
        for stage, note, at in steps:
            advance(session, complaint, stage, note, sam, RULES, now=at.astimezone(UTC),
                    category=ComplaintCategory.MISLEADING_SALE, handler=hana)  # fmt: skip
        # Written result within 2 working days: Sat 10-10 (调休) and Mon 10-12 (10-13 without it).
        assert complaint.feedback_due == date(2026, 10, 12)
        advance(session, complaint, STAGE.FED_BACK, "书面告知客户", sam, RULES,
                now=cst(10, 10, 11).astimezone(UTC))  # fmt: skip
        assert _state(complaint, ClockName.FEEDBACK, cst(10, 12)) is ClockState.MET
        assert _state(complaint, ClockName.HANDLE, cst(10, 12)) is ClockState.MET
        with pytest.raises(ReviewError, match="someone other than the handler"):
            advance(session, complaint, STAGE.REVIEWED, "复核", hana_actor, RULES)
        advance(session, complaint, STAGE.REVIEWED, "复核无误", sam, RULES, now=cst(10, 12))
        advance(session, complaint, STAGE.ARCHIVED, "归档", sam, RULES, now=cst(10, 12, 11))
        assert [s.stage for s in complaint.steps] == list(STAGE)
        assert complaint.category is ComplaintCategory.MISLEADING_SALE


def test_policy_service_accepts_in_two_working_days_and_asks_for_material_once(
    db: Database,
) -> None:
    with db.session() as session:
        policy = session.query(Policy).one()  # its 犹豫期 ends 09-29
        _, sam = _user(session, "sam")
        # Friday 09-18: Saturday off, Sunday 09-20 worked (调休), then Monday.
        request = request_surrender(session, policy, "我要退保", cst(9, 18).astimezone(UTC),
                                    RULES)  # fmt: skip
        assert request.in_cooling_off
        assert request.accept_due == date(2026, 9, 21)  # 09-20, 09-21
        assert request.material_due == date(2026, 9, 24)  # 09-20 … 09-24 (09-25 is 中秋)
        request_material(session, request, "缺身份证复印件", sam, RULES, cst(9, 20))
        with pytest.raises(ReviewError, match="once only"):
            request_material(session, request, "还缺银行卡", sam, RULES, cst(9, 21))
        # Material in on Thursday 09-24: 2 working days from it skip 中秋 (09-25..27) to
        # Monday 09-28 and Tuesday 09-29.
        material_received(session, request, "材料已齐", sam, RULES, cst(9, 24))
        assert request.accept_due == date(2026, 9, 29)
        assert sweep_service(session, RULES, cst(9, 29, 18).astimezone(UTC)) == []
        assert sweep_service(session, RULES, cst(9, 30, 9).astimezone(UTC)) == [request.id]
        accept(session, request, "已受理", sam, cst(9, 30, 10))
        assert request.status is ServiceStatus.ACCEPTED
        late = request_surrender(session, policy, "退保", cst(9, 30).astimezone(UTC), RULES)
        assert not late.in_cooling_off
        # 5 working days from 09-30: 10-08, 10-09, Sat 10-10, 10-12, 10-13.
        assert late.material_due == date(2026, 10, 13)
        with pytest.raises(ReviewError, match="by 2026-10-13"):
            request_material(session, late, "缺材料", sam, RULES, cst(10, 14))


@pytest.mark.parametrize(("said", "due"), [
    # Made Wednesday 09-30 16:00: one working day is 10-08, three are 10-08, 10-09, 10-10.
    ("并在一个工作日内与您联系", cst(10, 9, 0)),
    ("将由专人核实处理，并在三个工作日内与您联系", cst(10, 11, 0)),
    ("稍后会有专人为您详细解答", cst(10, 9, 0)),  # unstated: one working day
    ("我们会在24小时内回电", cst(10, 1, 16)),
])  # fmt: skip
def test_a_promise_falls_due_by_the_calendar(said: str, due: datetime) -> None:
    (promise,) = promises_in(said)
    assert promise_due(promise, cst(9, 30, 16).astimezone(UTC), RULES) == due


def test_prompts_without_a_promise_make_none() -> None:
    assert promises_in("好的，马上为您转接人工服务，请您稍候，不要挂机。") == []
    assert promises_in("感谢您的耐心配合，祝您生活愉快，再见。") == []
    assert promises_in("并在两个工作日内给您答复") == [
        Promise("并在两个工作日内给您答复", 2, PromiseUnit.WORKING_DAYS)]
