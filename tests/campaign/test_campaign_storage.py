"""Campaign tables on a real SQLite file: enrolment by import, claims, do-not-call, status."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from campaign_testkit import PolicySpec, phone_number, write_policies
from sqlalchemy import select

from huifang.campaign.configured import DialPlan
from huifang.campaign.ledger import Dial, claim, finish, plan_round, resolve_abandoned
from huifang.campaign.schedule import Candidate
from huifang.cli import main
from storage.campaign_models import (
    AttemptOutcome,
    AttemptStatus,
    CampaignAttempt,
    CampaignPolicy,
    CampaignState,
)
from storage.campaigns import CampaignStore
from storage.database import Database, open_database
from storage.models import CallDirection, CallRecord, Policy

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, a Monday
TODAY = date(2026, 11, 23)


def _url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'campaign.db'}"


def _specs(n: int) -> list[PolicySpec]:
    return [PolicySpec(f"P{k:05d}", phone_number(k), TODAY - timedelta(days=5)) for k in range(n)]


def _db(tmp_path: Path) -> Database:
    return open_database(_url(tmp_path))


def test_import_enrols_good_rows_names_bad_ones_and_reimport_changes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = PolicySpec("PBAD1", "12345", TODAY).row()
    path = write_policies(tmp_path / "new.csv", _specs(3), extra_rows=[bad])
    args = ["campaign", "import", str(path), "--db-url", _url(tmp_path)]
    assert main(args) == 2
    out, err = capsys.readouterr()
    assert out.strip().endswith("imported 3, updated 0, unchanged 0, rejected 1; "
                                "enrolled 3, already enrolled 0")
    assert err.startswith(f"huifang: error: {path}: line 5: column phone: phone number '12345'")
    assert main(args) == 2
    out, _ = capsys.readouterr()
    assert out.strip().endswith("imported 0, updated 0, unchanged 3, rejected 1; "
                                "enrolled 0, already enrolled 3")
    db = _db(tmp_path)
    with db.session() as session:
        states = session.scalars(select(CampaignPolicy.state)).all()
    db.close()
    assert states == [CampaignState.PENDING] * 3


def test_policies_imported_before_are_enrolled_without_change(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_policies(tmp_path / "new.csv", _specs(2))
    assert main(["policies", "import", str(path), "--db-url", _url(tmp_path)]) == 0
    assert main(["campaign", "import", str(path), "--db-url", _url(tmp_path)]) == 0
    assert capsys.readouterr().out.strip().endswith("unchanged 2, rejected 0; "
                                                    "enrolled 2, already enrolled 0")


def _enrolled(tmp_path: Path, specs: list[PolicySpec]) -> Database:
    db = _db(tmp_path)
    from huifang.campaign.ledger import enrol_file

    enrol_file(db, write_policies(tmp_path / "p.csv", specs), NOW)
    return db


def _candidate(db: Database, policy_no: str) -> Candidate:
    from huifang.campaign.ledger import candidate

    with db.session() as session:
        entry = session.scalars(select(CampaignPolicy).join(Policy)
                                .where(Policy.policy_no == policy_no)).one()
        return candidate(entry)


def test_a_policy_is_claimed_once_and_a_number_dialled_once_at_a_time(tmp_path: Path) -> None:
    shared = phone_number(7)
    db = _enrolled(tmp_path, [PolicySpec("PAAA", shared, TODAY), PolicySpec("PBBB", shared, TODAY)])
    lease = NOW + timedelta(minutes=20)
    first = claim(db, _candidate(db, "PAAA"), "sip:a@x", "w1", lease, NOW)
    assert first is not None
    assert claim(db, _candidate(db, "PAAA"), "sip:a@x", "w2", lease, NOW) is None  # same policy
    # Another policy on the same number: the partial unique index refuses it in the database.
    assert claim(db, _candidate(db, "PBBB"), "sip:a@x", "w2", lease, NOW) is None
    finish(db, first, AttemptOutcome.BUSY, NOW + timedelta(seconds=30))
    assert claim(db, _candidate(db, "PBBB"), "sip:a@x", "w2", lease, NOW) is not None
    with db.session() as session:
        rows = session.scalars(select(CampaignAttempt).order_by(CampaignAttempt.id)).all()
        assert [(a.seq, a.status, a.outcome) for a in rows] == [
            (1, AttemptStatus.FINISHED, AttemptOutcome.BUSY),
            (1, AttemptStatus.IN_PROGRESS, None)]
    db.close()


def test_plan_round_claims_one_of_two_policies_sharing_a_number(tmp_path: Path) -> None:
    from campaign_testkit import rules

    shared = phone_number(9)
    db = _enrolled(tmp_path, [PolicySpec("PAAA", shared, TODAY), PolicySpec("PBBB", shared, TODAY),
                              PolicySpec("PCCC", phone_number(10), TODAY)])
    plan = DialPlan("sip:{phone}@gw")
    done = plan_round(db, rules(), plan, NOW, 5, "w1", NOW + timedelta(minutes=20))
    assert sorted(d.phone for d in done.dials) == [shared, phone_number(10)]
    assert all(isinstance(d, Dial) and d.uri == f"sip:{d.phone}@gw" for d in done.dials)
    again = plan_round(db, rules(), plan, NOW, 5, "w1", NOW + timedelta(minutes=20))
    assert again.dials == ()  # the other policy on the shared number waits for the line
    assert [c.policy_no for c in again.plan.waiting_for_line] in (["PAAA"], ["PBBB"])
    db.close()


def _abandoned_attempt(db: Database, policy_no: str, worker: str) -> int:
    attempt = claim(db, _candidate(db, policy_no), "sip:x@gw", worker,
                    NOW + timedelta(minutes=20), NOW)
    assert attempt is not None
    return attempt


def _call(db: Database, policy_no: str, *, ended: bool, outcome: str | None = None,
          dialogue: str | None = None) -> int:
    with db.session() as session:
        policy = session.scalars(select(Policy).where(Policy.policy_no == policy_no)).one()
        call = CallRecord(policy_id=policy.id, direction=CallDirection.OUTBOUND, sip_uri="sip:x",
                          started_at=NOW + timedelta(seconds=1),
                          ended_at=NOW + timedelta(seconds=60) if ended else None,
                          outcome=outcome, dialogue_outcome=dialogue)
        session.add(call)
        session.flush()
        return call.id


def test_a_dead_workers_attempts_are_settled_from_their_call_records(tmp_path: Path) -> None:
    db = _enrolled(tmp_path, [PolicySpec(f"P00{k}", phone_number(k), TODAY) for k in range(4)])
    never = _abandoned_attempt(db, "P000", "dead")
    finished = _abandoned_attempt(db, "P001", "dead")
    finished_call = _call(db, "P001", ended=True, outcome="completed", dialogue="all_confirmed")
    midcall = _abandoned_attempt(db, "P002", "dead")
    midcall_call = _call(db, "P002", ended=False)
    alive = _abandoned_attempt(db, "P003", "alive")
    settled = resolve_abandoned(db, NOW + timedelta(minutes=1), lambda w: w == "dead")
    assert len(settled) == 3
    with db.session() as session:
        def row(attempt_id: int) -> CampaignAttempt:
            found = session.get(CampaignAttempt, attempt_id)
            assert found is not None
            return found

        assert (row(never).outcome, row(never).dialled) == (AttemptOutcome.FAILED, False)
        assert row(never).campaign_policy.state is CampaignState.PENDING
        assert (row(finished).outcome, row(finished).call_id) == (AttemptOutcome.SUCCESS,
                                                                  finished_call)
        assert row(finished).campaign_policy.state is CampaignState.DONE
        assert (row(midcall).outcome, row(midcall).dialled) == (AttemptOutcome.FAILED, True)
        call = session.get(CallRecord, midcall_call)
        assert call is not None and call.outcome == "interrupted" and call.ended_at is not None
        assert row(alive).status is AttemptStatus.IN_PROGRESS
    # A lease that ran out is settled whoever held it.
    assert resolve_abandoned(db, NOW + timedelta(hours=1), lambda w: False) == [
        "P003: attempt 1 never dialled"]
    db.close()


def test_do_not_call_list_from_the_cli(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    url = ["--db-url", _url(tmp_path)]
    assert main(["campaign", "dnc", "add", "138-0000-0001", "--reason", "客户要求", *url]) == 0
    assert main(["campaign", "dnc", "add", "13800000001", *url]) == 0
    assert main(["campaign", "dnc", "list", *url]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "138****0001: added to the do-not-call list"
    assert out[1] == "138****0001: already on the do-not-call list"
    assert out[2].startswith("138****0001\t") and out[2].endswith("\t客户要求")
    assert main(["campaign", "dnc", "add", "12345", *url]) == 2
    assert "huifang: error: 12345: phone number '12345'" in capsys.readouterr().err
    assert main(["campaign", "dnc", "remove", "13800000001", *url]) == 0
    assert main(["campaign", "dnc", "list", *url]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "138****0001: removed from the do-not-call list"]


def test_status_counts_outcomes_and_lists_deadlines_at_risk(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    today = datetime.now(UTC).date()
    specs = [PolicySpec("PSOON", phone_number(1), today - timedelta(days=14)),
             PolicySpec("PLATE", phone_number(2), today)]
    db = _enrolled(tmp_path, specs)
    attempt = _abandoned_attempt(db, "PLATE", "w")
    finish(db, attempt, AttemptOutcome.SUCCESS, NOW)
    db.close()
    assert main(["campaign", "status", "--json", "--db-url", _url(tmp_path)]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["policies"] == {"pending": 1, "done": 1}
    assert status["final_outcomes"] == {"success": 1}
    assert status["attempts"] == {"success": 1}
    assert [p["policy_no"] for p in status["at_risk"]] == ["PSOON"]


def test_store_counts_hand_over(tmp_path: Path) -> None:
    db = _enrolled(tmp_path, [PolicySpec("PXXX", phone_number(3), TODAY)])
    with db.session() as session:
        store = CampaignStore(session)
        entry = store.waiting()[0]
        store.hand_over(entry.id, "unreached after 3 attempts", NOW)
    with db.session() as session:
        store = CampaignStore(session)
        assert store.counts().states == {"letter_or_visit": 1}
        assert [e.closing_reason for e in store.handed_over()] == ["unreached after 3 attempts"]
    db.close()


def test_a_round_defers_policies_not_yet_due_and_takes_them_when_due(tmp_path: Path) -> None:
    from campaign_testkit import rules

    db = _enrolled(tmp_path, [PolicySpec("PDEF", phone_number(5), TODAY + timedelta(days=5))])
    spaced = rules(spacing_min=120)
    plan = DialPlan("sip:{phone}@gw")
    lease = NOW + timedelta(minutes=20)
    (dial,) = plan_round(db, spaced, plan, NOW, 4, "w1", lease).dials
    finish(db, dial.attempt_id, AttemptOutcome.NO_ANSWER, NOW + timedelta(minutes=1))
    later = plan_round(db, spaced, plan, NOW + timedelta(minutes=5), 4, "w1", lease)
    assert later.dials == ()
    assert later.plan.next_due == NOW + timedelta(minutes=120)
    with db.session() as session:
        assert CampaignStore(session).waiting()[0].next_attempt_at == NOW + timedelta(minutes=120)
        # A round before then does not even load it; the deferral still says when it is due.
        assert CampaignStore(session).waiting(due_by=NOW + timedelta(minutes=10)) == []
    again = plan_round(db, spaced, plan, NOW + timedelta(minutes=10), 4, "w1", lease)
    assert again.dials == () and again.plan.next_due == NOW + timedelta(minutes=120)
    due = plan_round(db, spaced, plan, NOW + timedelta(minutes=121), 4, "w1", lease)
    assert [d.phone for d in due.dials] == [phone_number(5)]
    db.close()


def test_run_refuses_without_a_dial_plan_or_with_a_bad_calendar(tmp_path: Path) -> None:
    import os

    from campaign_sip_testkit import huifang

    env = {**os.environ, "HUIFANG_DB_URL": _url(tmp_path), "HUIFANG_CAMPAIGN_DIAL_URI": "",
           "HUIFANG_CAMPAIGN_ROUTES": "{}"}
    done = huifang(["campaign", "run", "--until-idle"], env, 60)
    assert done.returncode == 2
    assert "huifang: error: HUIFANG_CAMPAIGN_DIAL_URI: not set" in done.stderr
    env.update({"HUIFANG_CAMPAIGN_DIAL_URI": "sip:{phone}@gw",
                "HUIFANG_CAMPAIGN_WINDOW_START": "21:00"})
    done = huifang(["campaign", "run", "--until-idle"], env, 60)
    assert done.returncode == 2
    assert "huifang: error: campaign settings: calling window 21:00:00-20:00:00 is empty" \
        in done.stderr
