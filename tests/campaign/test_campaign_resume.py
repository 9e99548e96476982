"""Kill the dialler mid-campaign (SIGKILL), start it again: nobody dialled twice, no outcome lost.

The peers count the INVITEs they receive. Spacing is an hour and two attempts are allowed, so
any second INVITE to a number within the test would be a re-dial the campaign must not make.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import wave
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from campaign_sip_testkit import ROOT, SippLine, campaign_env, huifang
from campaign_testkit import PolicySpec, write_policies
from sqlalchemy import select

from storage.campaign_models import AttemptOutcome, AttemptStatus, CampaignAttempt
from storage.campaigns import CampaignStore
from storage.database import Database, open_database
from storage.models import CallRecord

pytestmark = pytest.mark.slow
TALK = "13900001"  # answers, stays on the line 3 s, hangs up
BUSY = "13900002"
JUST_BEGUN = timedelta(seconds=1.5)  # of a 3 s call: the kill comes well before its end


@pytest.fixture
def lines(tmp_path: Path) -> Iterator[dict[str, SippLine]]:
    started = {TALK: SippLine("uas_answer_hangup.xml", tmp_path, {"@PAUSE_MS@": "3000"},
                              name="talk"),
               BUSY: SippLine("uas_refuse.xml", tmp_path, {"@CODE@": "486"}, name="busy")}
    yield started
    for line in started.values():
        line.kill()


def _attempts(db: Database) -> list[CampaignAttempt]:
    with db.session() as session:
        return list(session.scalars(select(CampaignAttempt).order_by(CampaignAttempt.id)))


def _calls_of(db: Database, attempt_ids: list[int]) -> list[CallRecord]:
    """The call records these attempts placed (no call record at all is left open)."""
    with db.session() as session:
        assert session.scalars(select(CallRecord).where(CallRecord.ended_at.is_(None))).all() == []
        store = CampaignStore(session)
        calls = [store.call_for(session.get_one(CampaignAttempt, attempt_id))
                 for attempt_id in attempt_ids]
        found = [call for call in calls if call is not None]
        session.expunge_all()
        return found


def _wait_mid_campaign(db: Database, proc: subprocess.Popen[str], timeout: float) -> None:
    """Until some attempts have finished and a 3 s call has just begun: it is still under way
    when the kill lands, however slowly this busy machine reads the database (a busy line's
    call, over in a tenth of a second, often was not)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the runner ended before it could be killed"
        attempts = _attempts(db)
        finished = [a for a in attempts if a.status is AttemptStatus.FINISHED]
        now = datetime.now(UTC)
        mid_call = [a for a in attempts
                    if a.status is AttemptStatus.IN_PROGRESS and a.call_id is not None
                    and a.phone.startswith(TALK) and now - a.started_at < JUST_BEGUN]
        if len(finished) >= 6 and mid_call:
            return
        time.sleep(0.05)
    raise AssertionError("the campaign never reached the middle")


def test_sigkill_mid_campaign_then_restart_dials_nobody_twice_and_keeps_every_outcome(
        tmp_path: Path, lines: dict[str, SippLine]) -> None:
    env = campaign_env(tmp_path, {prefix: line.template() for prefix, line in lines.items()},
                       HUIFANG_CAMPAIGN_SPACING_MINUTES="60")
    today = date.today()
    specs = [PolicySpec(f"T{k:04d}", f"{TALK}{k:03d}", today) for k in range(16)]
    specs += [PolicySpec(f"B{k:04d}", f"{BUSY}{k:03d}", today) for k in range(8)]
    imported = huifang(["campaign", "import", str(write_policies(tmp_path / "p.csv", specs))],
                       env, 60)
    assert imported.returncode == 0, imported.stderr
    db = open_database(env["HUIFANG_DB_URL"])

    first = subprocess.Popen([sys.executable, "-m", "huifang", "campaign", "run", "--until-idle"],
                             cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        _wait_mid_campaign(db, first, timeout=120)
        before_kill = {a.id: a.outcome for a in _attempts(db)
                       if a.status is AttemptStatus.FINISHED}
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)

    second = huifang(["campaign", "run", "--until-idle"], env, 300)
    assert second.returncode == 0, second.stderr[-4000:]

    attempts = _attempts(db)
    cut_calls = _calls_of(db, [a.id for a in attempts
                               if (a.detail or "").startswith("worker stopped mid-call")])
    db.close()
    # Their call records too: settled as interrupted, the repaired recording linked if any.
    assert cut_calls and all(c.ended_at is not None and c.outcome == "interrupted"
                             for c in cut_calls), [(c.id, c.outcome) for c in cut_calls]
    for call in cut_calls:
        if call.recording_path is not None:
            with wave.open(call.recording_path, "rb") as recording:
                assert recording.getnchannels() == 2
    assert all(a.status is AttemptStatus.FINISHED for a in attempts)
    # No outcome recorded before the kill was lost or changed.
    assert {a.id: a.outcome for a in attempts if a.id in before_kill} == before_kill
    # The calls cut by the kill were settled from their call records, not dialled again.
    interrupted = [a for a in attempts if (a.detail or "").startswith("worker stopped mid-call")]
    assert interrupted
    assert all(a.dialled and a.outcome is AttemptOutcome.FAILED for a in interrupted)
    # Every policy was dialled exactly once over both runs …
    dialled = Counter(a.phone for a in attempts if a.dialled)
    assert dialled == Counter({spec.phone: 1 for spec in specs})
    # … and the peers agree: no number got a second INVITE.
    invites: Counter[str] = Counter()
    for line in lines.values():
        invites.update(line.invites())
    assert max(invites.values()) == 1
    settled_ok = {a.phone for a in attempts if a.dialled and a not in interrupted}
    assert all(invites[phone] == 1 for phone in settled_ok)
    assert set(invites) <= set(dialled)
    outcomes = Counter(a.outcome for a in attempts if a.dialled and a not in interrupted)
    assert set(outcomes) <= {AttemptOutcome.HUNG_UP, AttemptOutcome.BUSY}


@pytest.mark.parametrize("ctrl_c", [False, True], ids=["sigterm", "ctrl-c"])
def test_sigterm_lets_the_calls_under_way_finish_and_claims_nothing_more(
        tmp_path: Path, lines: dict[str, SippLine], ctrl_c: bool) -> None:
    """SIGTERM to the run, or a Ctrl-C (SIGINT to the run and its workers, as a terminal sends
    it): one signal, so the calls under way end by themselves."""
    env = campaign_env(tmp_path, {prefix: line.template() for prefix, line in lines.items()},
                       HUIFANG_CAMPAIGN_MAX_ATTEMPTS="1")
    specs = [PolicySpec(f"T{k:04d}", f"{TALK}{k:03d}", date.today()) for k in range(12)]
    imported = huifang(["campaign", "import", str(write_policies(tmp_path / "p.csv", specs))],
                       env, 60)
    assert imported.returncode == 0, imported.stderr
    db = open_database(env["HUIFANG_DB_URL"])
    runner = subprocess.Popen([sys.executable, "-m", "huifang", "campaign", "run"], cwd=ROOT,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not [a for a in _attempts(db) if a.call_id is not None]:
            assert time.monotonic() < deadline, "no call started"
            time.sleep(0.1)
        if ctrl_c:  # the terminal's SIGINT reaches the worker and the run, in either order
            worker = next(a.worker for a in _attempts(db) if a.call_id is not None)
            os.kill(int(worker.split(":")[1]), signal.SIGINT)
            time.sleep(0.5)  # apart, so the kernel cannot merge it with the run's forwarded one
            runner.send_signal(signal.SIGINT)
        else:
            runner.send_signal(signal.SIGTERM)
        _, err = runner.communicate(timeout=60)
    finally:
        if runner.poll() is None:
            os.killpg(runner.pid, signal.SIGKILL)
            runner.wait(10)
    assert runner.returncode == 0, err[-3000:]
    attempts = _attempts(db)
    db.close()
    assert attempts and len(attempts) < len(specs)  # stopped claiming
    assert all(a.status is AttemptStatus.FINISHED for a in attempts)
    # The calls under way ran to their real end (the customer hung up), none cut as failed.
    assert {a.outcome for a in attempts} == {AttemptOutcome.HUNG_UP}
    assert sum(lines[TALK].invites().values()) == len(attempts)


def test_a_crashed_worker_is_started_again_and_the_campaign_completes(
        tmp_path: Path, lines: dict[str, SippLine]) -> None:
    env = campaign_env(tmp_path, {prefix: line.template() for prefix, line in lines.items()},
                       HUIFANG_CAMPAIGN_SPACING_MINUTES="60")
    specs = [PolicySpec(f"T{k:04d}", f"{TALK}{k:03d}", date.today()) for k in range(10)]
    imported = huifang(["campaign", "import", str(write_policies(tmp_path / "p.csv", specs))],
                       env, 60)
    assert imported.returncode == 0, imported.stderr
    db = open_database(env["HUIFANG_DB_URL"])
    runner = subprocess.Popen([sys.executable, "-m", "huifang", "campaign", "run",
                               "--until-idle"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not (mid_call := [a for a in _attempts(db) if a.call_id is not None
                                and a.status is AttemptStatus.IN_PROGRESS]):
            assert time.monotonic() < deadline, "no call started"
            time.sleep(0.1)
        worker_pid = int(mid_call[0].worker.split(":")[1])
        os.kill(worker_pid, signal.SIGSEGV)  # what the crash in the SIP stack looks like
        _, err = runner.communicate(timeout=240)
    finally:
        if runner.poll() is None:
            os.killpg(runner.pid, signal.SIGKILL)
            runner.wait(10)
    assert runner.returncode == 0, err[-3000:]
    assert "campaign worker: died (signal 11); started again" in err
    attempts = _attempts(db)
    db.close()
    assert len({a.worker for a in attempts}) == 2
    dialled = Counter(a.phone for a in attempts if a.dialled)
    assert dialled == Counter({spec.phone: 1 for spec in specs})
    assert max(lines[TALK].invites().values()) == 1
