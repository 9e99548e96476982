"""Retention (保存期限), legal holds and the purge on SQLite and PostgreSQL (issue 16, #5)."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from storage_testkit import GOOD_CSV, emptied, fresh_postgres_database, postgres_cluster, sqlite_db

from agent_assist.events import Category, Flag, Leg, Severity
from agent_assist.voiceprint import VOICEPRINT_DIM
from agent_assist.voiceprint_index import VoiceprintEntry
from agent_assist.voiceprint_store import SharedVoiceprints
from asr.events import TranscriptPass
from huifang.cli import main
from huifang.settings import get_settings, voiceprint_key
from storage.analysis import store_flags
from storage.analysis_models import CallFlag
from storage.attention_models import PhoneChangeRecord
from storage.audit import Actor, audit_entries
from storage.complaints import open_complaint
from storage.database import Database, open_database
from storage.legal_holds import LegalHoldError, clear_hold, set_hold
from storage.live_models import AgentAction, AgentActionKind
from storage.models import (
    AnswerEvidence,
    Base,
    CallDirection,
    CallRecord,
    CaseStatus,
    ItemAnswer,
    Policy,
    PolicyEndReason,
    ProblemCase,
    User,
    UserRole,
    Verdict,
)
from storage.policy_end import PolicyEndError, end_policy, end_reason
from storage.policy_import import import_policy_file
from storage.policy_service import request_surrender
from storage.problem_cases import DeadlineRules
from storage.purge import KeptBecause, apply_purge, plan_purge
from storage.queue_models import ContactMethod, LetterVisit, LetterVisitStatus
from storage.retention import RetentionError, RetentionPolicy, add_years
from storage.retention_models import LegalHold
from storage.review_models import Decision, FlagDisposition
from storage.service_models import (
    Complaint,
    ComplaintChannel,
    ComplaintKind,
    ComplaintStep,
    ServiceStatus,
)
from storage.transcript_models import CallUtterance

STARTED = datetime(2024, 11, 10, 9, 30, tzinfo=UTC)
TEN = RetentionPolicy(10, 10, 10)
STAGED = RetentionPolicy(recordings_years=10, transcripts_years=12, calls_years=15)
CLERK = Actor(None, "os:clerk")
PHONE = "13812345678"


@pytest.fixture(scope="module")
def pg_admin() -> Iterator[str]:
    with postgres_cluster() as url:
        yield url


@pytest.fixture(scope="module")
def pg_db(pg_admin: str) -> Iterator[Database]:
    database = open_database(fresh_postgres_database(pg_admin))
    yield database
    database.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """The good fixture policies; 0002 a 10-year term, the rest 终身 (no fixed end)."""
    if request.param == "postgresql":
        database: Database = emptied(request.getfixturevalue("pg_db"))
    else:
        database = sqlite_db(tmp_path)
    import_policy_file(database, GOOD_CSV)
    with database.session() as session:
        policy = _policy(session, "8644012024110002")
        policy.coverage_term, policy.coverage_months = "10年", 120
    yield database
    if request.param == "sqlite":
        database.close()


def _policy(session: Session, number: str) -> Policy:
    found = session.scalar(select(Policy).where(Policy.policy_no == number))
    assert found is not None
    return found


def _call(db: Database, policy_no: str | None, recording: Path | None = None,
          started: datetime = STARTED) -> int:
    """A finished call with an answer, its evidence and two utterances naming a phone."""
    with db.session() as session:
        policy = _policy(session, policy_no) if policy_no else None
        call = CallRecord(policy=policy, direction=CallDirection.OUTBOUND,
                          sip_uri=f"sip:{PHONE}@pbx", started_at=started, ended_at=started,
                          outcome="completed",
                          recording_path=str(recording) if recording else None)
        answer = ItemAnswer(step_id="identity", item=1, verdict=Verdict.PROBLEM)
        answer.evidence.append(AnswerEvidence(seq=0, text=f"我的电话是{PHONE}", start_ms=0,
                                              end_ms=900, source="speech"))
        call.answers.append(answer)
        session.add(call)
        session.flush()
        for leg in (Leg.AGENT, Leg.CUSTOMER):
            session.add(CallUtterance(call_id=call.id, transcript_pass=TranscriptPass.LIVE,
                                      leg=leg, start_ms=0, end_ms=900, text=f"号码{PHONE}"))
        if policy is not None:
            session.add(ProblemCase(policy_id=policy.id, call_id=call.id,
                                    item_answer_id=answer.id, kind="deception",
                                    reason="identity", status=CaseStatus.CLOSED,
                                    opened_at=STARTED, closed_at=STARTED))
        return call.id


def _wav(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(b"RIFF")
    return path


def _at(year: int) -> datetime:
    return datetime(year, 1, 1, tzinfo=UTC)


# -- the policy ---------------------------------------------------------------------------


@pytest.mark.parametrize("years", [(9, 10, 10), (10, 0, 10), (10, 10, -1)])
def test_a_period_below_the_legal_minimum_is_refused(years: tuple[int, int, int]) -> None:
    with pytest.raises(RetentionError, match="below the legal minimum of 10 years"):
        RetentionPolicy(*years)


def test_calls_cannot_go_before_their_recordings() -> None:
    with pytest.raises(RetentionError, match="removing a call removes both"):
        RetentionPolicy(recordings_years=12, transcripts_years=10, calls_years=11)


def test_add_years_keeps_the_day_and_clips_29_february() -> None:
    assert add_years(datetime(2024, 2, 29, tzinfo=UTC), 10) == datetime(2034, 2, 28, tzinfo=UTC)
    assert add_years(STARTED, -10).year == 2014


# -- a policy's end ----------------------------------------------------------------------


def test_a_policys_end_is_recorded_audited_and_corrected(db: Database) -> None:
    with db.session() as session:
        policy = end_policy(session, CLERK, "8644012024110001", date(2025, 3, 1),
                            PolicyEndReason.SURRENDER, now=_at(2026))
        assert (policy.ended_on, policy.end_reason) == (date(2025, 3, 1), "surrender")
        end_policy(session, CLERK, " 8644012024110001 ", date(2025, 3, 2),
                   end_reason("其他"), now=_at(2026))
        entries = audit_entries(session, entity="policy", entity_id=policy.id)
    assert [entry.action for entry in entries] == ["policy.end", "policy.end"]
    assert entries[1].before == {"ended_on": None, "end_reason": None}
    assert entries[0].before == {"ended_on": "2025-03-01", "end_reason": "surrender"}
    assert entries[0].after == {"ended_on": "2025-03-02", "end_reason": "other"}
    assert entries[0].actor == "os:clerk"


@pytest.mark.parametrize(("on", "reason", "problem"), [
    (date(2024, 1, 1), PolicyEndReason.SURRENDER, "before the policy was signed"),
    (date(2027, 1, 1), PolicyEndReason.MATURITY, "has not come yet"),
    (date(2025, 6, 1), PolicyEndReason.COOLING_OFF_SURRENDER, "after the 犹豫期 ended"),
])  # fmt: skip
def test_an_end_that_cannot_be_is_refused(db: Database, on: date, reason: PolicyEndReason,
                                          problem: str) -> None:
    with db.session() as session, pytest.raises(PolicyEndError, match=problem):
        end_policy(session, CLERK, "8644012024110001", on, reason, now=_at(2026))


def test_an_unknown_policy_or_reason_and_a_repeat_are_refused(db: Database) -> None:
    with db.session() as session:
        with pytest.raises(PolicyEndError, match="no policy NOPE"):
            end_policy(session, CLERK, "nope", date(2025, 1, 1), PolicyEndReason.OTHER)
        with pytest.raises(PolicyEndError, match="unknown reason 'lapsed'"):
            end_reason("lapsed")
        assert end_reason("犹豫期退保") is PolicyEndReason.COOLING_OFF_SURRENDER
        assert end_reason("Maturity") is PolicyEndReason.MATURITY
        end_policy(session, CLERK, "8644012024110001", date(2025, 1, 1), PolicyEndReason.OTHER)
        with pytest.raises(PolicyEndError, match="already recorded as ended"):
            end_policy(session, CLERK, "8644012024110001", date(2025, 1, 1),
                       PolicyEndReason.OTHER)


# -- the plan -----------------------------------------------------------------------------


def test_an_unknown_callers_call_goes_stage_by_stage(db: Database, tmp_path: Path) -> None:
    call_id = _call(db, None, _wav(tmp_path / "rec", "a.wav"))
    with db.session() as session:
        early = plan_purge(session, STAGED, _at(2034))
        recordings = plan_purge(session, STAGED, _at(2035))
        transcripts = plan_purge(session, STAGED, _at(2037))
        whole = plan_purge(session, STAGED, _at(2040))
    assert (early.recordings, early.transcripts, early.calls) == ((), (), ())
    assert early.kept == {} or early.kept == {KeptBecause.NOT_DUE: 1}
    assert (recordings.recordings, recordings.transcripts, recordings.calls) == ((call_id,), (), ())
    assert (transcripts.recordings, transcripts.transcripts) == ((call_id,), (call_id,))
    assert (whole.recordings, whole.transcripts, whole.calls) == ((), (), (call_id,))


def test_the_legal_floor_counts_from_the_contracts_end(db: Database) -> None:
    """A 10-year policy signed 2024-11-02 ends 2034-11-02: its calls stay until 2044-11-02,
    whatever the settings say; a 终身 policy's calls have no end to count from."""
    term = _call(db, "8644012024110002")
    whole_life = _call(db, "8644012024110001")
    with db.session() as session:
        assert plan_purge(session, TEN, _at(2044)).calls == ()
        later = plan_purge(session, TEN, datetime(2044, 11, 2, tzinfo=UTC))
    assert later.calls == (term,)
    assert whole_life not in later.calls
    assert later.kept == {KeptBecause.NO_FIXED_END: 1}


def test_an_open_dispute_keeps_the_call_and_a_closed_one_for_3_years(db: Database) -> None:
    call_id = _call(db, "8644012024110002")
    with db.session() as session:
        case = session.scalar(select(ProblemCase).where(ProblemCase.call_id == call_id))
        assert case is not None
        case.status, case.closed_at = CaseStatus.OPEN, None
    with db.session() as session:
        assert plan_purge(session, TEN, _at(2050)).kept == {KeptBecause.DISPUTE: 1}
        case = session.scalar(select(ProblemCase).where(ProblemCase.call_id == call_id))
        assert case is not None
        case.status, case.closed_at = CaseStatus.CLOSED, datetime(2045, 6, 1, tzinfo=UTC)
    with db.session() as session:
        assert plan_purge(session, TEN, _at(2048)).calls == ()
        assert plan_purge(session, TEN, datetime(2048, 6, 1, tzinfo=UTC)).calls == (call_id,)


def test_an_open_complaint_keeps_its_call_and_no_other(db: Database) -> None:
    """A complaint about one unknown caller's call does not keep another's."""
    mine, other = _call(db, None), _call(db, None)
    with db.session() as session:
        open_complaint(session, summary="投诉回访太多", kind=ComplaintKind.COMPLAINT,
                       channel=ComplaintChannel.PHONE, received_at=STARTED,
                       rules=DeadlineRules(), call_id=mine)
        open_complaint(session, summary="另一位客户", kind=ComplaintKind.COMPLAINT,
                       channel=ComplaintChannel.PHONE, received_at=STARTED,
                       rules=DeadlineRules())  # about no call or policy at all
    with db.session() as session:
        plan = plan_purge(session, TEN, _at(2040))
    assert plan.calls == (other,) and plan.kept == {KeptBecause.DISPUTE: 1}


def test_a_hold_on_the_policy_or_the_call_keeps_everything(db: Database) -> None:
    first, second = _call(db, "8644012024110002"), _call(db, None)
    with db.session() as session:
        set_hold(session, CLERK, "诉讼 (2045)粤0106民初123号", policy_no="8644012024110002")
        set_hold(session, CLERK, "客户投诉复核", call_id=second)
    with db.session() as session:
        plan = plan_purge(session, TEN, _at(2050))
        assert (plan.calls, plan.kept) == ((), {KeptBecause.HOLD: 2})
        clear_hold(session, CLERK, "判决生效", policy_no="8644012024110002")
    with db.session() as session:
        assert plan_purge(session, TEN, _at(2050)).calls == (first,)
        actions = [entry.action for entry in audit_entries(session)]
    assert actions[:3] == ["legal_hold.clear", "legal_hold.set", "legal_hold.set"]


def test_holds_refuse_what_makes_no_sense(db: Database) -> None:
    call_id = _call(db, None)
    with db.session() as session:
        with pytest.raises(LegalHoldError, match="needs a reason"):
            set_hold(session, CLERK, "  ", call_id=call_id)
        with pytest.raises(LegalHoldError, match="not on hold"):
            clear_hold(session, CLERK, "x", call_id=call_id)
        with pytest.raises(LegalHoldError, match="no policy"):
            set_hold(session, CLERK, "x", policy_no="NOPE")
        with pytest.raises(LegalHoldError, match="either a policy or a call"):
            set_hold(session, CLERK, "x", policy_no="8644012024110002", call_id=call_id)
        set_hold(session, CLERK, "x", call_id=call_id)
        with pytest.raises(LegalHoldError, match="already on hold"):
            set_hold(session, CLERK, "y", call_id=call_id)


# -- applying it --------------------------------------------------------------------------


def _count(session: Session, model: type[Base], call_id: int) -> int:
    column = model.__table__.c.call_id
    query = select(func.count()).select_from(model).where(column == call_id)
    return int(session.scalar(query) or 0)


def test_apply_removes_files_then_rows_and_audits_counts_only(
    db: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    roots = [tmp_path / "rec"]
    gone = _call(db, "8644012024110002", _wav(roots[0], "gone.wav"))
    staged = _call(db, None, _wav(roots[0], "staged.wav"))
    stray = _wav(tmp_path / "elsewhere", "x.wav")
    outside = _call(db, None, stray)
    with db.session() as session:  # the unknown callers' calls: only recordings + transcripts
        for call_id in (staged, outside):
            session.get(CallRecord, call_id).started_at = datetime(2036, 1, 1, tzinfo=UTC)  # type: ignore[union-attr]
        session.add(CallRecord(  # a call still open keeps policy 0002 (and its problem case)
            policy=_policy(session, "8644012024110002"), direction=CallDirection.INBOUND,
            sip_uri="sip:pbx", started_at=STARTED))  # fmt: skip
    caplog.set_level(logging.INFO, logger="storage.purge")
    with db.session() as session:
        plan = plan_purge(session, STAGED, datetime(2048, 6, 1, tzinfo=UTC))
        assert plan.calls == (gone,)
        assert (plan.policies, plan.policies_kept) == ((), {KeptBecause.CALLS_KEPT: 1})
        assert plan.recordings == (staged, outside) and plan.transcripts == (staged, outside)
        result = apply_purge(session, plan, CLERK, roots)
    assert (result.recording_files, result.recordings_outside, result.calls) == (2, 1, 1)
    assert result.utterances == 6
    assert not (roots[0] / "gone.wav").exists() and not (roots[0] / "staged.wav").exists()
    assert stray.exists()  # not under the recordings folder: left, and its path kept
    with db.session() as session:
        assert session.get(CallRecord, gone) is None
        assert _count(session, CallUtterance, gone) == _count(session, ItemAnswer, gone) == 0
        case = session.scalar(select(ProblemCase).where(ProblemCase.policy_id == _policy(
            session, "8644012024110002").id))
        assert case is not None and case.call_id is None and case.item_answer_id is None
        assert session.get(CallRecord, staged).recording_path is None  # type: ignore[union-attr]
        assert session.get(CallRecord, outside).recording_path == str(stray)  # type: ignore[union-attr]
        assert _count(session, CallUtterance, staged) == 0
        evidence = session.scalars(select(AnswerEvidence.text)).all()
        assert evidence == ["", ""]
        entry = audit_entries(session, entity="calls")[0]
    assert entry.action == "retention.purge" and entry.after is not None
    assert entry.after["calls"] == 1 and entry.after["removed_call_ids"] == [gone]
    written = json.dumps(entry.after, ensure_ascii=False) + caplog.text
    assert PHONE not in written and "1234" not in written and "王" not in written
    assert "1 calls, 0 policies removed" in caplog.text
    with db.session() as session:  # a second run finds only the stray file's path left
        again = plan_purge(session, STAGED, datetime(2048, 6, 1, tzinfo=UTC))
    assert (again.recordings, again.transcripts, again.calls) == ((outside,), (), ())


def test_a_removed_call_takes_its_flags_decisions_notes_and_hold_history(db: Database) -> None:
    call_id = _call(db, None)
    with db.session() as session:
        reviewer = User(username="rita", password_hash="x", role=UserRole.REVIEWER,
                        created_at=STARTED)
        session.add(reviewer)
        call = session.get(CallRecord, call_id)
        assert call is not None
        (flag,) = store_flags(session, call, [Flag(
            rule_id="induce.guaranteed_return", category=Category.INDUCEMENT,
            subcategory="保本保息", severity=Severity.HIGH, leg=Leg.CUSTOMER,
            text=f"保本保息，打{PHONE}", start=1.0, end=2.0, span=(0, 4), explanation="诱导",
        )], raised_at=STARTED)  # fmt: skip
        session.flush()
        session.add(FlagDisposition(flag_id=flag.id, call_id=call_id, decision=Decision.DISMISSED,
                                    reason="客户误会", decided_by=reviewer.id, decided_at=STARTED))
        session.add(AgentAction(call_id=call_id, user_id=reviewer.id, kind=AgentActionKind.NOTE,
                                text=f"回拨{PHONE}", done_at=STARTED))
        set_hold(session, CLERK, "核查", call_id=call_id, now=STARTED)
        hold = clear_hold(session, CLERK, "核查完毕", call_id=call_id, now=STARTED)
        hold_id = hold.id
    with db.session() as session:
        plan = plan_purge(session, TEN, _at(2040))
        assert plan.calls == (call_id,)
        assert apply_purge(session, plan, CLERK, []).calls == 1
    with db.session() as session:
        for model in (CallFlag, FlagDisposition, AgentAction, CallUtterance, ItemAnswer):
            assert _count(session, model, call_id) == 0, model
        kept = session.get(LegalHold, hold_id)  # the hold's history stays, without the call
        assert kept is not None and kept.call_id is None and kept.clear_reason == "核查完毕"


# -- policies -----------------------------------------------------------------------------

ENDED = "8644012024110001"  # 终身: goes only once its end is recorded


def _end_and_surround(db: Database) -> tuple[int, int]:
    """Policy ENDED surrendered 2025-03-01 (floor 2035-03-01) with a call, its closed problem
    case, a phone change, a letter, a complaint archived in 2030 and a cleared hold."""
    call_id = _call(db, ENDED)
    with db.session() as session:
        policy = end_policy(session, CLERK, ENDED, date(2025, 3, 1), PolicyEndReason.SURRENDER,
                            now=_at(2026))
        session.add(PhoneChangeRecord(policy_no=ENDED, old_phone=PHONE, new_phone="13900001111",
                                      changed_at=STARTED, source="变更.csv", imported_at=STARTED))
        session.add(LetterVisit(policy_id=policy.id, method=ContactMethod.LETTER,
                                status=LetterVisitStatus.CLOSED, created_at=STARTED))
        complaint = open_complaint(
            session, summary=f"客户{PHONE}投诉", kind=ComplaintKind.COMPLAINT,
            channel=ComplaintChannel.PHONE, received_at=STARTED, rules=DeadlineRules(),
            policy_id=policy.id)  # fmt: skip
        complaint.archived_at = _at(2030)
        set_hold(session, CLERK, "核查", policy_no=ENDED, now=STARTED)
        clear_hold(session, CLERK, "核查完毕", policy_no=ENDED, now=STARTED)
        return policy.id, call_id


def test_an_ended_policy_goes_with_its_calls_and_own_rows(db: Database) -> None:
    policy_id, call_id = _end_and_surround(db)
    other = _call(db, "8644012024110003")
    with db.session() as session:
        early = plan_purge(session, TEN, datetime(2035, 2, 28, tzinfo=UTC))
        plan = plan_purge(session, TEN, datetime(2035, 3, 1, tzinfo=UTC))
        assert (early.calls, early.policies) == ((), ())
        assert (plan.calls, plan.policies) == ((call_id,), (policy_id,))
        assert plan.kept == {KeptBecause.NO_FIXED_END: 1}  # `other`: 终身, no end recorded
        result = apply_purge(session, plan, CLERK, [])
    assert (result.calls, result.policies) == (1, 1)
    with db.session() as session:
        assert session.get(Policy, policy_id) is None and session.get(CallRecord, call_id) is None
        for model in (PhoneChangeRecord, LetterVisit, ProblemCase, Complaint, ComplaintStep):
            assert session.scalar(select(func.count()).select_from(model)) == (
                1 if model is ProblemCase else 0), model  # `other`'s case stays
        assert session.get(CallRecord, other) is not None
        (hold,) = session.scalars(select(LegalHold)).all()
        assert hold.policy_id is None and hold.clear_reason == "核查完毕"
        actions = [entry.action for entry in audit_entries(session)]
        entry = audit_entries(session, entity="calls")[0]
    assert "policy.end" in actions and "legal_hold.set" in actions  # the trail stays
    assert entry.after is not None and entry.after["removed_policy_ids"] == [policy_id]
    assert entry.after["policies"] == 1 and entry.after["removed_call_ids"] == [call_id]
    written = json.dumps(entry.after, ensure_ascii=False)
    assert PHONE not in written and ENDED not in written and "王" not in written


def test_a_policy_stays_while_held_disputed_or_a_call_stays(db: Database) -> None:
    policy_id, call_id = _end_and_surround(db)
    at = datetime(2035, 3, 1, tzinfo=UTC)
    with db.session() as session:
        set_hold(session, CLERK, "诉讼", policy_no=ENDED)
        held = plan_purge(session, TEN, at)
        clear_hold(session, CLERK, "结案", policy_no=ENDED)
        complaint = session.scalar(select(Complaint))
        assert complaint is not None
        complaint.archived_at = _at(2033)  # closed 2033: kept until 2036
        disputed = plan_purge(session, TEN, at)
        complaint.archived_at = None
        still_open = plan_purge(session, TEN, _at(2060))
        complaint.archived_at = _at(2030)
        session.get(CallRecord, call_id).started_at = _at(2030)  # type: ignore[union-attr]
        young_call = plan_purge(session, TEN, at)
        later = plan_purge(session, TEN, _at(2041))
    assert (held.policies, held.policies_kept) == ((), {KeptBecause.HOLD: 1})
    assert (disputed.policies, disputed.policies_kept) == ((), {KeptBecause.DISPUTE: 1})
    assert policy_id not in still_open.policies and still_open.calls == ()  # 0002 goes in 2044
    assert still_open.policies_kept == {KeptBecause.DISPUTE: 1}
    assert (young_call.policies, young_call.policies_kept) == ((), {KeptBecause.CALLS_KEPT: 1})
    assert (later.policies, later.calls) == ((policy_id,), (call_id,))


def test_a_policy_stays_while_policy_service_handles_a_request(db: Database) -> None:
    policy_id, call_id = _end_and_surround(db)
    at = datetime(2035, 3, 1, tzinfo=UTC)
    with db.session() as session:
        policy = session.get(Policy, policy_id)
        assert policy is not None
        request = request_surrender(session, policy, "我要退保", STARTED, DeadlineRules())
        handling = plan_purge(session, TEN, at)
        request.status = ServiceStatus.COMPLETED
        handled = plan_purge(session, TEN, at)
    assert (handling.policies, handling.policies_kept) == ((), {KeptBecause.OPEN_REQUEST: 1})
    assert (handled.policies, handled.calls) == ((policy_id,), (call_id,))


def test_a_policy_whose_call_keeps_a_stray_recording_stays(db: Database, tmp_path: Path) -> None:
    stray = _wav(tmp_path / "elsewhere", "x.wav")
    with db.session() as session:
        policy_id = end_policy(session, CLERK, ENDED, date(2025, 3, 1),
                               PolicyEndReason.MATURITY, now=_at(2026)).id
    call_id = _call(db, ENDED, stray)
    with db.session() as session:
        plan = plan_purge(session, TEN, _at(2036))
        assert (plan.policies, plan.calls) == ((policy_id,), (call_id,))
        result = apply_purge(session, plan, CLERK, [tmp_path / "rec"])
        entry = audit_entries(session, entity="calls")[0]
    assert (result.calls, result.policies) == (0, 0)
    assert entry.after is not None and entry.after["removed_policy_ids"] == []
    with db.session() as session:
        call = session.get(CallRecord, call_id)
        assert call is not None and call.policy_id == policy_id and call.recording_path


# -- the commands -------------------------------------------------------------------------


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("HUIFANG_RECORDINGS_DIR", str(tmp_path / "rec"))
    get_settings.cache_clear()
    database = open_database(url)
    import_policy_file(database, GOOD_CSV)
    database.close()
    yield url
    get_settings.cache_clear()


def test_purge_refuses_a_setting_below_the_minimum_in_one_line(
    cli_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HUIFANG_RETAIN_RECORDINGS_YEARS", "3")
    get_settings.cache_clear()
    assert main(["purge", "--db-url", cli_db]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "HUIFANG_RETAIN_RECORDINGS_YEARS=3 is below the legal" in err


def test_purge_is_a_dry_run_until_apply(
    cli_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    database = open_database(cli_db)
    old = _call(database, None, _wav(tmp_path / "rec", "old.wav"), started=_at(2000))
    database.close()
    assert main(["purge", "--db-url", cli_db]) == 0
    dry = json.loads(capsys.readouterr().out)
    assert (dry["apply"], dry["calls"], dry["call_ids"]["calls"]) == (False, 1, [old])
    assert (tmp_path / "rec" / "old.wav").exists()
    assert main(["purge", "--as-of", "2009-12-31", "--db-url", cli_db]) == 0
    assert json.loads(capsys.readouterr().out)["calls"] == 0
    assert main(["purge", "--apply", "--as-of", "2040-01-01", "--db-url", cli_db]) == 2
    assert "only for a dry run" in capsys.readouterr().err
    assert main(["purge", "--as-of", "0001-01-01", "--db-url", cli_db]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    monkeypatch.setattr(sys, "stdin", io.StringIO("Long-enough-9\n"))
    assert main(["users", "add", "clerk", "--role", "supervisor", "--db-url", cli_db]) == 0
    hold = ["--call", str(old), "--by", "clerk", "--db-url", cli_db]
    assert main(["hold", "set", *hold, "--by", "nobody", "--reason", "投诉"]) == 2
    assert "nobody" in capsys.readouterr().err
    assert main(["hold", "set", *hold, "--reason", f"投诉人 {PHONE}"]) == 0
    assert PHONE not in capsys.readouterr().out
    assert main(["hold", "list", "--db-url", cli_db]) == 0
    assert json.loads(capsys.readouterr().out)["call_id"] == old
    assert main(["purge", "--apply", "--by", "clerk", "--db-url", cli_db]) == 0
    assert json.loads(capsys.readouterr().out)["kept"] == {KeptBecause.HOLD: 1}
    assert (tmp_path / "rec" / "old.wav").exists()
    assert main(["hold", "clear", *hold, "--reason", "已结案"]) == 0
    assert main(["hold", "clear", *hold, "--reason", "已结案"]) == 2
    assert capsys.readouterr().err.strip().endswith("is not on hold")
    assert main(["purge", "--apply", "--db-url", cli_db]) == 0
    applied = json.loads(capsys.readouterr().out)
    assert applied["removed"]["calls"] == 1 and applied["removed"]["recording_files"] == 1
    assert not (tmp_path / "rec" / "old.wav").exists()


def test_policies_end_records_in_one_line_or_refuses_in_one(
    cli_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("Long-enough-9\n"))
    assert main(["users", "add", "clerk", "--role", "supervisor", "--db-url", cli_db]) == 0
    capsys.readouterr()
    end = ["policies", "end", "8644012024110001", "--by", "clerk", "--db-url", cli_db]
    for bad, where in ((["--on", "2025-02-30", "--reason", "退保"], "--on"),
                       (["--on", "2025-03-01", "--reason", "lapsed"], "--reason"),
                       (["--on", "2099-03-01", "--reason", "退保"], "8644012024110001"),
                       (["--on", "2025-03-01", "--reason", "退保", "--by", "nobody"], "--by")):
        assert main([*end, *bad]) == 2, bad
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith(f"huifang: error: {where}: "), err
    assert main([*end, "--on", "2025-03-01", "--reason", "退保"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "policy_no": "8644012024110001", "ended_on": "2025-03-01", "end_reason": "surrender"}
    assert main(["policies", "show", "8644012024110001", "--db-url", cli_db]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["ended_on"], shown["end_reason"]) == ("2025-03-01", "surrender")
    assert main(["purge", "--as-of", "2035-03-01", "--db-url", cli_db]) == 0
    dry = json.loads(capsys.readouterr().out)
    assert (dry["policies"], len(dry["policy_ids"]), dry["policies_kept"]) == (1, 1, {})
    database = open_database(cli_db)
    with database.session() as session:
        (entry,) = audit_entries(session, entity="policy")
    database.close()
    assert (entry.action, entry.actor, entry.actor_id is not None) == ("policy.end", "clerk", True)


def test_purge_removes_the_calls_voiceprints_from_a_nodes_file_store_too(
    cli_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """On SQLite voiceprints are kept in files (HUIFANG_VOICEPRINTS_DIR): a purged call's
    voiceprint, biometric data made of its recording, must not outlive it there."""
    folder = tmp_path / "voiceprints"
    monkeypatch.setenv("HUIFANG_VOICEPRINTS_DIR", str(folder))
    monkeypatch.setenv("HUIFANG_VOICEPRINT_KEY_FILE", str(tmp_path / "keys" / "vp.key"))
    monkeypatch.setenv("HUIFANG_STORE_VOICEPRINTS", "true")
    get_settings.cache_clear()
    database = open_database(cli_db)
    old = _call(database, None, _wav(tmp_path / "rec", "old.wav"), started=_at(2000))
    recent = _call(database, None, _wav(tmp_path / "rec", "new.wav"), started=_at(2026))
    database.close()
    store = SharedVoiceprints(folder, True, voiceprint_key(get_settings()))
    for call_id, holder in ((old, "H1"), (recent, "H2")):
        store.replace_call(VoiceprintEntry(holder, f"P-{holder}", str(call_id)),
                           np.eye(VOICEPRINT_DIM, dtype=np.float32)[call_id % VOICEPRINT_DIM])
    monkeypatch.setattr(sys, "stdin", io.StringIO("Long-enough-9\n"))
    assert main(["users", "add", "clerk", "--role", "supervisor", "--db-url", cli_db]) == 0
    capsys.readouterr()
    assert main(["purge", "--apply", "--by", "clerk", "--db-url", cli_db]) == 0
    removed = json.loads(capsys.readouterr().out)["removed"]
    assert (removed["calls"], removed["voiceprint_files"]) == (1, 1)
    left = SharedVoiceprints(folder, False, voiceprint_key(get_settings())).entries()
    assert [entry.call_id for entry in left] == [str(recent)]
    database = open_database(cli_db)
    with database.session() as session:
        (entry,) = [e for e in audit_entries(session) if e.action == "retention.purge"]
    database.close()
    assert entry.after is not None and entry.after["voiceprint_files"] == 1
