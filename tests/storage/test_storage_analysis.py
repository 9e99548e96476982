"""Stored flags on SQLite and PostgreSQL: written with evidence, replaced, listed by filter."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from storage_testkit import GOOD_CSV, fresh_postgres_database, postgres_cluster, sqlite_db

from agent_assist.engine import AssistFactory
from agent_assist.events import CueKind, Flag, Leg, Severity, Utterance, VoiceCue
from agent_assist.phone_cues import PhoneCue, PhoneCueKind
from storage.analysis import (
    FlagFilter,
    calls_with_flags,
    count_calls_with_flags,
    flags_for_call,
    replace_flags,
    store_flags,
)
from storage.analysis_models import CallFlag, FlagKind
from storage.audit import Actor
from storage.database import Database, open_database
from storage.dispositions import dismiss_flag
from storage.models import CallDirection, Policy, User, UserRole
from storage.policy_import import import_policy_file
from storage.repository import Repository
from storage.review_models import Decision, FlagDisposition

STARTED = datetime(2024, 11, 10, 9, 30, tzinfo=UTC)
RAISED = datetime(2024, 11, 10, 9, 40, tzinfo=UTC)


@pytest.fixture(scope="module")
def pg_admin() -> Iterator[str]:
    with postgres_cluster() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated database holding the good fixture policies, on each backend."""
    if request.param == "postgresql":
        database = open_database(fresh_postgres_database(request.getfixturevalue("pg_admin")))
    else:
        database = sqlite_db(tmp_path)
    import_policy_file(database, GOOD_CSV)
    yield database
    database.close()


def _call(repo: Repository, policy_no: str, started: datetime = STARTED) -> int:
    policy = repo.policy(policy_no)
    assert isinstance(policy, Policy)
    return repo.start_call(policy, CallDirection.OUTBOUND, "sip:x@127.0.0.1", started).id


def _rule_flags() -> tuple[list[object], list[object]]:
    factory = AssistFactory()
    call = factory.new_call()
    realtime = call.on_utterance(
        Utterance(Leg.CUSTOMER, "业务员说这个保本保息，稳赚不赔", 12.5, 15.25)
    )
    whole = call.end_call()
    return list(realtime), list(whole)


DUPLICATE = VoiceCue(
    CueKind.DUPLICATE_VOICE, Severity.HIGH, Leg.CUSTOMER, "此声音已为其他2位投保人的保单应答",
    ("保单8644012024110003 相似度0.86 同一业务员",), 0.86,
    (("8644012024110003", 0.86), ("8633012024110004", 0.81), ("8644012024110003", 0.83)),
)
PHONE = PhoneCue(
    PhoneCueKind.SHARED_NUMBER, Severity.MEDIUM, ("8644012024110001", "8644012024110002"),
    ("13812345678",), 3, "号码138****5678 为2位投保人共用，请核实",
)


def test_flags_are_stored_with_their_evidence_and_read_in_call_order(db: Database) -> None:
    realtime, whole = _rule_flags()
    assert realtime and whole  # the sentence fires; a one-line call misses whole-call items
    with db.session() as session:
        call_id = _call(Repository(session), "8644012024110001")
        call = Repository(session).call(call_id)
        assert call is not None
        store_flags(session, call, [PHONE, DUPLICATE], raised_at=RAISED)
        store_flags(session, call, realtime, raised_at=RAISED)  # type: ignore[arg-type]
        store_flags(session, call, whole, kind=FlagKind.WHOLE_CALL)  # type: ignore[arg-type]
    with db.session() as session:
        stored = flags_for_call(session, call_id)
        timed = [f.start_ms for f in stored if f.start_ms is not None]
        assert timed == sorted(timed) and len(timed) == len(realtime) + len(whole)
        first = next(f for f in stored if f.kind is FlagKind.MISLEADING_SALE)
        source = realtime[0]
        assert isinstance(source, Flag)
        assert (first.rule_id, first.category) == (source.rule_id, source.category.value)
        assert first.leg is Leg.CUSTOMER and first.severity is source.severity
        assert (first.start_ms, first.end_ms) == (12500, 15250)
        assert first.utterance == "业务员说这个保本保息，稳赚不赔"
        assert first.matched == first.utterance[first.span_start : first.span_end]
        assert first.explanation and first.raised_at == RAISED
        assert first.attributed  # the customer quotes the salesperson
        kinds = [f.kind for f in stored]
        assert FlagKind.WHOLE_CALL in kinds
        # Policy-level cues have no time in the call: they come last.
        assert kinds[-2:] == [FlagKind.PHONE_CUE, FlagKind.DUPLICATE_VOICE]
        duplicate = stored[-1]
        assert duplicate.rule_id == "duplicate_voice"
        assert duplicate.reasons == list(DUPLICATE.reasons)
        assert {(p.policy_no, p.score) for p in duplicate.policies} == {
            ("8644012024110003", 0.86), ("8633012024110004", 0.81)
        }
        phone = stored[-2]
        assert [p.policy_no for p in phone.policies] == list(PHONE.policy_nos)
        assert phone.leg is None and phone.severity is Severity.MEDIUM
        only_cues = flags_for_call(session, call_id, [FlagKind.PHONE_CUE])
        assert [f.id for f in only_cues] == [phone.id]


def test_replacing_a_kind_leaves_the_others_and_never_doubles(db: Database) -> None:
    realtime, _ = _rule_flags()
    with db.session() as session:
        call_id = _call(Repository(session), "8644012024110001")
        call = Repository(session).call(call_id)
        assert call is not None
        store_flags(session, call, [PHONE])
        for _ in range(2):
            replace_flags(session, call, [FlagKind.MISLEADING_SALE, FlagKind.DUPLICATE_VOICE],
                          [*realtime, DUPLICATE])  # type: ignore[list-item]
    with db.session() as session:
        kinds = sorted(f.kind.value for f in flags_for_call(session, call_id))
        assert kinds == sorted(
            [FlagKind.PHONE_CUE.value, FlagKind.DUPLICATE_VOICE.value]
            + [FlagKind.MISLEADING_SALE.value] * len(realtime)
        )
        linked = session.scalar(text("SELECT count(*) FROM call_flag_policies"))
        assert linked == 2 + 2  # the phone cue's two policies and the duplicate's two


def test_calls_are_listed_by_flag_and_by_policy_and_call(db: Database) -> None:
    with db.session() as session:
        repo = Repository(session)
        calls = {
            no: repo.call(_call(repo, no, STARTED + timedelta(days=day)))
            for day, no in enumerate(
                ["8644012024110001", "8644012024110003", "8633012024110004"]
            )
        }
        a, b, c = calls.values()
        assert a is not None and b is not None and c is not None
        store_flags(session, a, [PHONE], raised_at=RAISED)
        store_flags(session, b, [DUPLICATE], raised_at=RAISED + timedelta(hours=1))
        store_flags(session, c, [
            CallFlag(kind=FlagKind.SPECIAL_ATTENTION, rule_id="seller_listed", category="特别关注",
                     severity=Severity.LOW, explanation="业务员在特别关注名单上")
        ], raised_at=RAISED + timedelta(hours=2))
        ids = {no: call.id for no, call in calls.items() if call is not None}
        no_flags = repo.start_call(None, CallDirection.INBOUND, "sip:y@127.0.0.1", STARTED)
        assert no_flags.id not in ids.values()

    def listed(wanted: FlagFilter) -> list[int]:
        with db.session() as session:
            found = calls_with_flags(session, wanted)
            assert count_calls_with_flags(session, wanted) == len(found)
            return [item.call.id for item in found]

    everything = listed(FlagFilter())
    assert everything == [ids["8633012024110004"], ids["8644012024110003"], ids["8644012024110001"]]
    assert listed(FlagFilter(kinds=(FlagKind.PHONE_CUE,))) == [ids["8644012024110001"]]
    assert listed(FlagFilter(min_severity=Severity.MEDIUM)) == everything[1:]
    assert listed(FlagFilter(min_severity=Severity.HIGH)) == [ids["8644012024110003"]]
    assert listed(FlagFilter(categories=("特别关注",))) == [ids["8633012024110004"]]
    assert listed(FlagFilter(salesperson="李明")) == [ids["8644012024110001"]]
    assert listed(FlagFilter(team="天河二组")) == [ids["8644012024110003"]]
    assert listed(FlagFilter(branch="广东分公司")) == everything[1:]
    assert listed(FlagFilter(product="稳进投资连结保险")) == [ids["8633012024110004"]]
    assert listed(FlagFilter(since=STARTED + timedelta(days=1))) == everything[:2]
    assert listed(FlagFilter(until=STARTED + timedelta(days=1))) == [ids["8644012024110001"]]
    assert listed(FlagFilter(salesperson="李明", kinds=(FlagKind.DUPLICATE_VOICE,))) == []
    with db.session() as session:
        page = calls_with_flags(session, FlagFilter(), limit=1, offset=1)
        assert [item.call.id for item in page] == [ids["8644012024110003"]]
        assert page[0].call.policy is not None and page[0].call.policy.team == "天河二组"
        assert page[0].top_severity is Severity.HIGH
        assert [f.kind for f in page[0].flags] == [FlagKind.DUPLICATE_VOICE]


def test_undecided_only_leaves_out_the_flags_a_reviewer_decided(db: Database) -> None:
    with db.session() as session:
        repo = Repository(session)
        first, second = (
            repo.call(_call(repo, no)) for no in ("8644012024110001", "8644012024110003")
        )
        assert first is not None and second is not None
        (phone,) = store_flags(session, first, [PHONE], raised_at=RAISED)
        (duplicate,) = store_flags(session, second, [DUPLICATE], raised_at=RAISED)
        phone_too = store_flags(session, second, [PHONE], raised_at=RAISED)[0]
        reviewer = User(username="rita", password_hash="x", role=UserRole.REVIEWER,
                        created_at=RAISED)  # fmt: skip
        session.add(reviewer)
        session.flush()
        for decided in (phone, duplicate):
            dismiss_flag(session, decided, reason="核实无误", actor=Actor(reviewer.id, "rita"))
        ids = (first.id, second.id, phone_too.id)
    with db.session() as session:
        found = calls_with_flags(session, FlagFilter(undecided_only=True))
        shown = [(item.call.id, [flag.id for flag in item.flags]) for item in found]
        assert shown == [(ids[1], [ids[2]])]
        assert count_calls_with_flags(session, FlagFilter(undecided_only=True)) == 1
        assert len(calls_with_flags(session, FlagFilter())) == 2


def test_re_analysis_keeps_a_reviewed_flag_and_its_decision(db: Database) -> None:
    realtime, _ = _rule_flags()
    with db.session() as session:
        call_id = _call(Repository(session), "8644012024110001")
        call = Repository(session).call(call_id)
        assert call is not None
        first = replace_flags(session, call, [FlagKind.MISLEADING_SALE], realtime)  # type: ignore[arg-type]
        reviewer = User(username="qc1", password_hash="x", role=UserRole.REVIEWER,
                        created_at=RAISED)
        session.add(reviewer)
        session.flush()
        session.add(FlagDisposition(flag_id=first[0].id, call_id=call_id,
                                    decision=Decision.DISMISSED, reason="客户口误",
                                    decided_by=reviewer.id, decided_at=RAISED))
    with db.session() as session:
        call = Repository(session).call(call_id)
        assert call is not None
        added = replace_flags(session, call, [FlagKind.MISLEADING_SALE], realtime)  # type: ignore[arg-type]
        assert len(added) == len(realtime) - 1  # the reviewed finding is not stored twice
    with db.session() as session:
        stored = flags_for_call(session, call_id)
        assert len(stored) == len(realtime)
        assert first[0].id in {flag.id for flag in stored}
        kept = session.scalars(select(FlagDisposition)).one()
        assert kept.flag_id == first[0].id and kept.reason == "客户口误"
