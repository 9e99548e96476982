"""A callback's follow-ups from the events the dialogue emits: a surrender request goes to
policy service, a complaint opens the complaint workflow (not a 15-day problem case), and the
robot's promise becomes a task that the next call reaching the customer keeps."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from storage_testkit import GOOD_CSV, run_dialogue, sqlite_db

from storage.agent_actions import HeardRequest, register_request
from storage.audit import Actor
from storage.models import CallDirection, CaseStatus, ProblemCase, User, UserRole
from storage.policy_import import import_policy_file
from storage.policy_view import policy_record
from storage.repository import Repository
from storage.service_models import (
    Complaint,
    ComplaintChannel,
    ComplaintKind,
    CustomerPromise,
    PromiseStatus,
    ServiceRequest,
)

CST = ZoneInfo("Asia/Shanghai")
POLICY = "8644012024110001"  # 王秀英, received 2024-11-04, 犹豫期 to 11-19
FIRST_FIVE = ["是我", "一九六五年三月八号", "是我自己签的", "看过了，都明白", "清楚"]


def test_surrender_and_complaint_leave_their_own_work_and_a_timed_promise(
    tmp_path: Path,
) -> None:
    db = sqlite_db(tmp_path)
    import_policy_file(db, GOOD_CSV)
    # Sunday 2024-11-10 17:30: the promise's one working day is Monday 11-11.
    ended = datetime(2024, 11, 10, 17, 30, tzinfo=CST).astimezone(UTC)
    with db.session() as session:
        repo = Repository(session)
        policy = repo.policy(POLICY)
        assert policy is not None
        events = run_dialogue(policy_record(policy), [*FIRST_FIVE, "我要退保，业务员骗我"])
        call = repo.start_call(policy, CallDirection.OUTBOUND, "sip:x@pbx", ended)
        repo.record_dialogue(call, events, ended)
        (request,) = session.scalars(select(ServiceRequest)).all()
        assert (request.kind, request.in_cooling_off, request.call_id) == (
            "surrender", True, call.id)
        assert "我要退保" in request.text
        (complaint,) = session.scalars(select(Complaint)).all()
        assert complaint.kind is ComplaintKind.COMPLAINT
        assert complaint.channel is ComplaintChannel.CALLBACK
        assert "业务员骗我" in complaint.summary
        # No ordinary problem case for the surrender item: its own workflows took it.
        assert session.scalars(select(ProblemCase)).all() == []
        (promise,) = session.scalars(select(CustomerPromise)).all()
        assert promise.promise.endswith("并在一个工作日内与您联系")
        assert promise.due_at == datetime(2024, 11, 12, 0, 0, tzinfo=CST)
        assert promise.status is PromiseStatus.OPEN

        # The next call that reaches the customer keeps the promise to contact them.
        later = datetime(2024, 11, 11, 10, tzinfo=CST).astimezone(UTC)
        again = repo.start_call(policy, CallDirection.OUTBOUND, "sip:x@pbx", later)
        repo.record_dialogue(again, run_dialogue(policy_record(policy), ["是我"]), later)
        kept = session.get(CustomerPromise, promise.id)
        assert kept is not None and kept.status is PromiseStatus.KEPT
        assert kept.kept_by == "system" and str(again.id) in kept.note


def test_a_strong_complaint_in_an_ordinary_answer_is_recorded(tmp_path: Path) -> None:
    db = sqlite_db(tmp_path)
    import_policy_file(db, GOOD_CSV)
    with db.session() as session:
        repo = Repository(session)
        policy = repo.policy(POLICY)
        assert policy is not None
        answers = [*FIRST_FIVE[:3], "看过了，你们天天打电话烦死了"]
        events = run_dialogue(policy_record(policy), answers)
        call = repo.start_call(policy, CallDirection.OUTBOUND, "sip:x@pbx")
        repo.record_dialogue(call, events)
        (complaint,) = session.scalars(select(Complaint)).all()
        assert complaint.kind is ComplaintKind.STRONG
        assert session.scalars(select(ServiceRequest)).all() == []
        assert all(case.status is CaseStatus.OPEN for case in repo.problem_cases(policy))


def test_what_an_agent_registered_on_the_call_is_not_opened_twice(tmp_path: Path) -> None:
    db = sqlite_db(tmp_path)
    import_policy_file(db, GOOD_CSV)
    with db.session() as session:
        agent = User(username="ann", password_hash="x", role=UserRole.AGENT,
                     created_at=datetime.now(UTC))  # fmt: skip
        session.add(agent)
        repo = Repository(session)
        policy = repo.policy(POLICY)
        assert policy is not None
        call = repo.start_call(policy, CallDirection.OUTBOUND, "sip:x@pbx")
        session.flush()
        ann = Actor(agent.id, agent.username)
        register_request(session, call, ann, HeardRequest.COMPLAINT, "业务员骗我", repo.rules)
        register_request(session, call, ann, HeardRequest.SURRENDER, "我要退保", repo.rules)
        # The robot's part of the same call heard them too: its follow-ups add none.
        repo.record_dialogue(call, run_dialogue(policy_record(policy),
                                                [*FIRST_FIVE, "我要退保，业务员骗我"]))  # fmt: skip
        assert len(session.scalars(select(Complaint)).all()) == 1
        assert len(session.scalars(select(ServiceRequest)).all()) == 1
        assert len(session.scalars(select(CustomerPromise)).all()) == 1  # the robot's promise
