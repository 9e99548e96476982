"""The runner over a real SQLite file with a scripted placer (no SIP): claims, caps, outcomes.

The SIP side is tested with real peers in test_campaign_sip.py; here the calls are coroutines
that answer by phone number, so every scheduling path runs in milliseconds.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from campaign_testkit import PolicySpec, phone_number, rules, shanghai, write_policies
from sqlalchemy import select

from huifang.campaign import ledger
from huifang.campaign.configured import DialPlan
from huifang.campaign.ledger import Dial, enrol_file
from huifang.campaign.runner import CallResult, CampaignRunner, failure_detail
from huifang.campaign.schedule import Candidate
from storage.campaign_models import AttemptOutcome, CampaignAttempt, CampaignPolicy
from storage.campaigns import CampaignStore
from storage.database import Database, open_database

MONDAY = date(2026, 11, 23)
NOW = shanghai(MONDAY, 10)


class ScriptedLine:
    """Answers each number with its scripted outcomes in turn; watches overlap and the cap."""

    def __init__(self, script: dict[str, list[AttemptOutcome]], *, call_s: float = 0.01,
                 fail_before_dial: set[str] | None = None) -> None:
        self.script = {phone: list(outcomes) for phone, outcomes in script.items()}
        self.call_s = call_s
        self.fail_before_dial = set(fail_before_dial or ())
        self.dialled: Counter[str] = Counter()
        self.in_flight: set[str] = set()
        self.peak = 0
        self.overlaps = 0
        self.next_call_id = 0

    async def place(self, dial: Dial, on_dialled: Callable[[int], None]) -> CallResult:
        if dial.phone in self.fail_before_dial:
            self.fail_before_dial.discard(dial.phone)
            raise RuntimeError("no prompt audio")  # before any INVITE
        self.overlaps += dial.phone in self.in_flight
        self.in_flight.add(dial.phone)
        self.peak = max(self.peak, len(self.in_flight))
        self.dialled[dial.phone] += 1
        try:
            await asyncio.sleep(self.call_s)
            outcomes = self.script[dial.phone]
            outcome = outcomes.pop(0) if len(outcomes) > 1 else outcomes[0]
            return CallResult(outcome, "scripted", None)
        finally:
            self.in_flight.discard(dial.phone)


def _campaign(tmp_path: Path, phones: list[str]) -> Database:
    db = open_database(f"sqlite:///{tmp_path / 'run.db'}")
    specs = [PolicySpec(f"P{n:05d}", phone, MONDAY - timedelta(days=3))
             for n, phone in enumerate(phones)]
    enrol_file(db, write_policies(tmp_path / "p.csv", specs), NOW)
    return db


def _run(db: Database, line: ScriptedLine, *, cap: int = 4, max_attempts: int = 3,
         undialled_retry: timedelta = timedelta(0)) -> None:
    runner = CampaignRunner(db, rules(max_attempts=max_attempts, per_day=max_attempts,
                                      spacing_min=0), DialPlan("sip:{phone}@gw"), line.place,
                            max_concurrent=cap, lease=timedelta(minutes=20), clock=lambda: NOW,
                            undialled_retry=undialled_retry)
    asyncio.run(runner.run(until_idle=True, poll_s=0.01))


def _finals(db: Database) -> Counter[str]:
    with db.session() as session:
        entries = CampaignStore(session).waiting() + list(session.scalars(select(CampaignPolicy)))
        return Counter(f"{e.state.value}:{e.final_outcome.value if e.final_outcome else ''}"
                       for e in {e.id: e for e in entries}.values())


def test_every_policy_ends_with_the_outcome_its_line_gives(tmp_path: Path) -> None:
    A = AttemptOutcome  # noqa: N806
    script = {phone_number(0): [A.SUCCESS], phone_number(1): [A.PROBLEM_CASE],
              phone_number(2): [A.WANTS_HUMAN], phone_number(3): [A.INVALID_NUMBER],
              phone_number(4): [A.BUSY, A.NO_ANSWER, A.SUCCESS],
              phone_number(5): [A.NO_ANSWER], phone_number(6): [A.HUNG_UP, A.REFUSED, A.BUSY]}
    line = ScriptedLine(script)
    db = _campaign(tmp_path, list(script))
    _run(db, line)
    assert _finals(db) == Counter({"done:success": 2, "done:problem_case": 1,
                                   "done:wants_human": 1, "letter_or_visit:": 3})
    assert line.dialled == Counter({phone_number(0): 1, phone_number(1): 1, phone_number(2): 1,
                                    phone_number(3): 1, phone_number(4): 3, phone_number(5): 3,
                                    phone_number(6): 3})
    with db.session() as session:
        letters = {e.policy.phone: e.closing_reason for e in CampaignStore(session).handed_over()}
    assert (letters[phone_number(3)] or "").startswith("invalid number")
    reason = letters[phone_number(6)] or ""
    assert reason.splitlines()[0] == "unreached after 3 attempts"
    assert [line.rsplit(": ", 1)[1] for line in reason.splitlines()[1:]] == [
        "hung_up (scripted)", "refused (scripted)", "busy (scripted)"]
    db.close()


def test_the_cap_holds_and_no_number_is_dialled_twice_at_once(tmp_path: Path) -> None:
    # 30 policies on 10 numbers: three policies share each number.
    phones = [phone_number(n % 10) for n in range(30)]
    line = ScriptedLine({p: [AttemptOutcome.SUCCESS] for p in set(phones)}, call_s=0.02)
    db = _campaign(tmp_path, phones)
    _run(db, line, cap=3)
    assert line.peak <= 3
    assert line.overlaps == 0
    assert sum(line.dialled.values()) == 30
    assert _finals(db) == Counter({"done:success": 30})
    db.close()


def test_a_failure_before_the_invite_does_not_count_as_an_attempt(tmp_path: Path) -> None:
    line = ScriptedLine({phone_number(0): [AttemptOutcome.SUCCESS]},
                        fail_before_dial={phone_number(0)})
    db = _campaign(tmp_path, [phone_number(0)])
    _run(db, line, max_attempts=1)
    with db.session() as session:
        attempts = session.scalars(select(CampaignAttempt).order_by(CampaignAttempt.seq)).all()
        assert [(a.dialled, a.outcome) for a in attempts] == [
            (False, AttemptOutcome.FAILED), (True, AttemptOutcome.SUCCESS)]
        assert (attempts[0].detail or "").startswith("RuntimeError: no prompt audio")
    assert _finals(db) == Counter({"done:success": 1})
    db.close()


def test_a_busy_database_is_waited_out_not_fatal() -> None:
    from sqlalchemy.exc import OperationalError

    from huifang.campaign.runner import in_db

    calls: list[int] = []

    def step(value: int) -> int:
        calls.append(value)
        if len(calls) < 3:
            raise OperationalError("UPDATE …", {}, Exception("database is locked"))
        return value * 2

    assert asyncio.run(in_db(step, 21)) == 42
    assert calls == [21, 21, 21]


def test_the_progress_line_names_every_state() -> None:
    from huifang.campaign.progress import progress_line
    from storage.campaigns import CampaignCounts

    counts = CampaignCounts({"pending": 12, "done": 7, "letter_or_visit": 2},
                            {"success": 5, "problem_case": 1, "wants_human": 1},
                            {"success": 5, "busy": 9, "problem_case": 1, "wants_human": 1}, 3)
    assert progress_line(counts, 3725.4) == (
        "campaign 01:02:05  dialling 3 | pending 12 | done 7 (problem_case 1, success 5, "
        "wants_human 1) | letter/visit 2 | attempts 16")


def test_a_call_that_outlives_its_lease_is_ended_as_failed(tmp_path: Path) -> None:
    async def hung(dial: Dial, on_dialled: Callable[[int], None]) -> CallResult:
        on_dialled_ids.append(dial.attempt_id)
        on_dialled(_call_record(db, dial))  # dialled, then the SIP stack is stuck
        await asyncio.sleep(30)
        raise AssertionError("not reached")

    on_dialled_ids: list[int] = []
    db = _campaign(tmp_path, [phone_number(0)])
    runner = CampaignRunner(db, rules(max_attempts=1, spacing_min=0), DialPlan("sip:{phone}@gw"),
                            hung, max_concurrent=1, lease=timedelta(seconds=0.2),
                            clock=lambda: NOW)
    asyncio.run(runner.run(until_idle=True, poll_s=0.01))
    with db.session() as session:
        (attempt,) = session.scalars(select(CampaignAttempt)).all()
        assert (attempt.outcome, attempt.detail) == (AttemptOutcome.FAILED,
                                                     "the call outlived its lease")
    assert on_dialled_ids == [attempt.id]
    db.close()


def _call_record(db: Database, dial: Dial) -> int:
    from storage.models import CallDirection, CallRecord, Policy

    with db.session() as session:
        policy = session.scalars(select(Policy).where(Policy.policy_no == dial.policy_no)).one()
        call = CallRecord(policy_id=policy.id, direction=CallDirection.OUTBOUND,
                          sip_uri=dial.uri, started_at=NOW)
        session.add(call)
        session.flush()
        return call.id


def test_failures_before_the_invite_are_retried_after_a_pause_not_in_a_loop(
        tmp_path: Path) -> None:
    line = ScriptedLine({phone_number(0): [AttemptOutcome.SUCCESS]},
                        fail_before_dial={phone_number(0)})
    db = _campaign(tmp_path, [phone_number(0)])
    _run(db, line, undialled_retry=timedelta(minutes=1))  # the clock stands still
    with db.session() as session:
        attempts = session.scalars(select(CampaignAttempt)).all()
        assert [(a.dialled, a.outcome) for a in attempts] == [(False, AttemptOutcome.FAILED)]
        (entry,) = CampaignStore(session).waiting()
        assert entry.next_attempt_at == NOW + timedelta(minutes=1)
    db.close()


def test_a_failed_attempt_names_the_error_and_where_it_arose() -> None:
    """A bare TimeoutError from asyncio's depths is recorded with the line of ours it hit."""

    async def wait_for_an_answer_that_never_comes() -> None:
        await asyncio.wait_for(asyncio.sleep(1), 0.001)

    try:
        asyncio.run(wait_for_an_answer_that_never_comes())
    except TimeoutError as err:
        detail = failure_detail(err)
    assert detail.startswith("TimeoutError (in wait_for_an_answer_that_never_comes, "
                             "test_campaign_runner.py:")
    try:
        raise ValueError("bad URI")
    except ValueError as err:
        assert failure_detail(err).startswith("ValueError: bad URI (in ")


def test_a_round_whose_claims_another_worker_won_is_not_taken_for_idle(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two workers read the same due policy; the other claims it first and its call goes
    unanswered: this one must stay and dial the retry, not exit as if the campaign were idle
    (a fresh-clone CI run saw a second worker leave at once and the first dial all 40)."""
    db = _campaign(tmp_path, [phone_number(1)])
    real_claim = ledger.claim
    raced: list[int] = []

    def claim_after_the_other(db_: Database, chosen: Candidate, uri: str, worker: str,
                              lease_until: datetime, now: datetime) -> int | None:
        if not raced:  # the other worker commits its claim a moment before ours
            other = real_claim(db_, chosen, uri, "other-host:1:x", lease_until, now)
            assert other is not None
            raced.append(other)
            mine = real_claim(db_, chosen, uri, worker, lease_until, now)
            ledger.finish(db_, other, AttemptOutcome.NO_ANSWER, now)  # its call: unanswered
            return mine
        return real_claim(db_, chosen, uri, worker, lease_until, now)

    monkeypatch.setattr(ledger, "claim", claim_after_the_other)
    line = ScriptedLine({phone_number(1): [AttemptOutcome.SUCCESS]})
    _run(db, line)
    assert raced and line.dialled == Counter({phone_number(1): 1})  # the retry, by this worker
    with db.session() as session:
        workers = [a.worker for a in session.scalars(select(CampaignAttempt)
                                                     .order_by(CampaignAttempt.id))]
    assert workers[0] == "other-host:1:x" and len(workers) == 2
    db.close()
