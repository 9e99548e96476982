"""The repository API on SQLite and PostgreSQL: lookups, deadlines, calls, answers, cases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from storage_testkit import (
    GOOD_CSV,
    emptied,
    fresh_postgres_database,
    postgres_cluster,
    run_dialogue,
    sqlite_db,
    today,
)

from storage.database import Database, open_database
from storage.models import CallDirection, CaseStatus, Policy, Verdict
from storage.policy_import import import_policy_file
from storage.policy_view import policy_record
from storage.repository import Repository

ALL_YES = [
    "是我",
    "一九六五年三月八号",
    "是我自己签的",
    "看过了，都明白",
    "清楚",
    "知道的",
    "清楚",
    "晓得，交十年嘛",
    "知道红利不保证",
]
UNSURE_OF_SURRENDER = [*ALL_YES[:5], "不清楚", "还是不清楚", *ALL_YES[6:]]
STARTED = datetime(2024, 11, 10, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def pg_admin() -> Iterator[str]:
    with postgres_cluster() as url:
        yield url


@pytest.fixture(scope="module")
def pg_db(pg_admin: str) -> Iterator[Database]:
    """One migrated PostgreSQL database per module; emptied before each test that uses it."""
    database = open_database(fresh_postgres_database(pg_admin))
    yield database
    database.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated database holding just the good fixture policies, on each backend."""
    if request.param == "postgresql":
        database: Database = emptied(request.getfixturevalue("pg_db"))
    else:
        database = sqlite_db(tmp_path)
    import_policy_file(database, GOOD_CSV)
    yield database
    if request.param == "sqlite":
        database.close()


def _policy(repo: Repository, number: str) -> Policy:
    policy = repo.policy(number)
    assert policy is not None
    return policy


def test_policy_by_number_ignores_case_and_spaces(db: Database) -> None:
    with db.session() as session:
        repo = Repository(session)
        assert _policy(repo, " 8644012024110001 ").holder_name == "王秀英"
        assert repo.policy("8644012099999999") is None


@pytest.mark.parametrize(
    ("caller", "holder"),
    [
        ("sip:+8613812345678@pbx.example.cn", "王秀英"),
        ("sip:013812345678@10.0.0.5;user=phone", "王秀英"),  # trunk's 0 before a mobile
        ("tel:13923456789", "李建国"),
        ('"陈静" <sip:02083456789@pbx>;tag=as5f3a', "陈静"),
    ],
)
def test_policy_by_caller_number(db: Database, caller: str, holder: str) -> None:
    with db.session() as session:
        found = Repository(session).policies_for_caller(caller)
        assert [p.holder_name for p in found] == [holder]


def test_unknown_or_garbled_callers_find_nothing(db: Database) -> None:
    with db.session() as session:
        repo = Repository(session)
        assert repo.policies_for_caller("sip:13800000000@pbx") == []
        assert repo.policies_for_caller("sip:anonymous@anonymous.invalid") == []


def test_deadlines_near_earliest_first(db: Database) -> None:
    with db.session() as session:
        repo = Repository(session)
        due = repo.deadlines_within(today(), 9)  # 2024-11-10 … 11-19
        assert [(p.policy_no, p.cooling_off_deadline.isoformat()) for p in due] == [
            ("8644012024110001", "2024-11-19"),
        ]
        later = repo.deadlines_within(today() + timedelta(days=9), 5)  # 11-19 … 11-24
        assert [p.policy_no for p in later] == [
            "8644012024110001",
            "8644012024110002",
            "8633012024110005",
            "8633012024110004",
            "8651012024110006",
        ]
        assert repo.deadlines_within(today() + timedelta(days=30), 5) == []


def test_a_confirmed_callback_is_stored_with_evidence(db: Database) -> None:
    with db.session() as session:
        repo = Repository(session)
        policy = _policy(repo, "8644012024110001")
        call = repo.start_call(policy, CallDirection.OUTBOUND, "sip:13812345678@trunk", STARTED)
        answers = repo.record_dialogue(call, run_dialogue(policy_record(policy), ALL_YES))
        repo.finish_call(call, "completed", STARTED + timedelta(seconds=64), "var/rec/1.wav")
        call_id = call.id
        assert len(answers) == 9
    with db.session() as session:
        repo = Repository(session)
        stored = repo.call(call_id)
        assert stored is not None
        assert stored.started_at == STARTED and stored.started_at.tzinfo is not None
        assert (stored.outcome, stored.dialogue_outcome) == ("completed", "all_confirmed")
        assert stored.recording_path == "var/rec/1.wav"
        assert [a.item for a in stored.answers] == [1, 1, 2, 3, 4, 5, 6, 7, None]
        assert {a.verdict for a in stored.answers} == {Verdict.CONFIRMED}
        surrender = stored.answers[5]
        assert surrender.step_id == "surrender_loss"
        assert [(e.text, e.start_ms, e.end_ms, e.source, e.answer_class)
                for e in surrender.evidence] == [
            ("知道的", 38_000, 39_200, "speech", "affirmative")
        ]  # fmt: skip
        assert repo.problem_cases(_policy(repo, "8644012024110001")) == []
        # Reached: no longer among the policies still to call before their deadline.
        due = repo.deadlines_within(today(), 14)
        assert "8644012024110001" not in [p.policy_no for p in due]
        assert "8644012024110001" in [
            p.policy_no for p in repo.deadlines_within(today(), 14, unreached_only=False)
        ]


def test_a_problem_item_opens_a_problem_case_with_its_evidence(db: Database) -> None:
    with db.session() as session:
        repo = Repository(session)
        policy = _policy(repo, "8644012024110001")
        call = repo.start_call(policy, CallDirection.OUTBOUND, "sip:13812345678@trunk", STARTED)
        repo.record_dialogue(call, run_dialogue(policy_record(policy), UNSURE_OF_SURRENDER))
        repo.finish_call(call, "completed", STARTED + timedelta(seconds=70))
    with db.session() as session:
        repo = Repository(session)
        policy = _policy(repo, "8644012024110001")
        cases = repo.problem_cases(policy, CaseStatus.OPEN)
        assert [(c.kind, c.reason, c.status) for c in cases] == [
            ("concealment", "unsure", CaseStatus.OPEN)
        ]
        stored = repo.call(cases[0].call_id or 0)
        assert stored is not None and stored.dialogue_outcome == "completed_with_problems"
        problem = next(a for a in stored.answers if a.id == cases[0].item_answer_id)
        assert (problem.step_id, problem.item, problem.verdict) == (
            "surrender_loss",
            5,
            Verdict.PROBLEM,
        )
        assert problem.topic == "退保损失"
        assert [(e.seq, e.text, e.answer_class) for e in problem.evidence] == [
            (0, "不清楚", "unsure"),
            (1, "还是不清楚", "unsure"),
        ]


def test_an_unanswered_call_keeps_its_outcome_and_no_answers(db: Database) -> None:
    with db.session() as session:
        repo = Repository(session)
        policy = _policy(repo, "8633012024110004")
        call = repo.start_call(policy, CallDirection.OUTBOUND, "sip:02083456789@trunk", STARTED)
        repo.finish_call(call, "busy", STARTED + timedelta(seconds=3))
        call_id = call.id
    with db.session() as session:
        stored = Repository(session).call(call_id)
        assert stored is not None
        assert (stored.outcome, stored.dialogue_outcome, stored.answers) == ("busy", None, [])


def test_naive_datetimes_are_refused(db: Database) -> None:
    with pytest.raises(Exception, match="naive datetime"), db.session() as session:
        repo = Repository(session)
        repo.start_call(None, CallDirection.INBOUND, "sip:x@y", datetime(2024, 11, 10, 9, 30))
