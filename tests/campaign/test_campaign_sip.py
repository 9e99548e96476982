"""A campaign end to end over real SIP on loopback: SIPp lines and pjsua2 customers.

51 policies routed by number range to SIPp user agent servers (busy 486, 空号 404, 480, 603,
ringing until we give up, answering and hanging up) and to pjsua2 customers who key their
answers (all confirmed, one item denied, 转人工). The INVITEs each peer received are counted.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from campaign_sip_testkit import (
    KEYPAD_ALL_CONFIRMED,
    KeypadCustomer,
    SippLine,
    campaign_env,
    huifang,
)
from campaign_testkit import PolicySpec, write_policies
from sqlalchemy import select

from storage.campaign_models import CampaignAttempt
from storage.database import open_database

pytestmark = pytest.mark.slow

# Number range (first 8 digits) → (SIPp scenario, replacements, policies on it).
SIPP_LINES = {
    "13800001": ("uas_refuse.xml", {"@CODE@": "486"}, 12),  # 忙音
    "13800002": ("uas_refuse.xml", {"@CODE@": "404"}, 8),  # 空号
    "13800003": ("uas_refuse.xml", {"@CODE@": "480"}, 6),  # 暂时无法接通
    "13800004": ("uas_refuse.xml", {"@CODE@": "603"}, 6),  # 拒接
    "13800005": ("uas_ring_forever.xml", {}, 4),  # 无人接听
    "13800006": ("uas_answer_hangup.xml", {"@PAUSE_MS@": "1500"}, 6),  # 接起就挂
}
SHARED_NUMBER = "13800007000"  # two policies of one holder, on a line that answers and hangs up
DNC_RANGE = "13800008"
CUSTOMERS = {
    "13800009001": KEYPAD_ALL_CONFIRMED,
    "13800009002": KEYPAD_ALL_CONFIRMED,
    "13800009003": KEYPAD_ALL_CONFIRMED,
    "13800009004": ("end:key:1", "start+1:key:4021", "start+1:key:1", "start+1:key:2",
                    *["start+1:key:1"] * 8),  # denies that they read the documents: 问题件
    "13800009005": ("end:key:1", "start+1:key:4021", "start+1:key:0"),  # 转人工
}


@pytest.fixture
def lines(tmp_path: Path) -> Iterator[dict[str, SippLine]]:
    started: dict[str, SippLine] = {}
    try:
        for prefix, (scenario, replace, _) in SIPP_LINES.items():
            started[prefix] = SippLine(scenario, tmp_path, replace, name=f"line{prefix}")
        started["1380000700"] = SippLine("uas_answer_hangup.xml", tmp_path,
                                         {"@PAUSE_MS@": "2500"}, name="shared")
        yield started
    finally:
        for line in started.values():
            line.kill()


@pytest.fixture
def customers() -> Iterator[dict[str, KeypadCustomer]]:
    started: dict[str, KeypadCustomer] = {}
    try:
        for number, turns in CUSTOMERS.items():
            started[number] = KeypadCustomer(*turns)
        yield started
    finally:
        for customer in started.values():
            customer.kill()


def _policies() -> list[PolicySpec]:
    today = date.today()
    specs = [PolicySpec(f"C{prefix[-1]}{k:03d}", f"{prefix}{k:03d}", today)
             for prefix, (_, _, count) in SIPP_LINES.items() for k in range(count)]
    specs += [PolicySpec("S0001", SHARED_NUMBER, today), PolicySpec("S0002", SHARED_NUMBER, today)]
    specs += [PolicySpec(f"D{k:04d}", f"{DNC_RANGE}{k:03d}", today) for k in range(2)]
    specs += [PolicySpec(f"K{number[-4:]}", number, today) for number in CUSTOMERS]
    return specs


def test_a_campaign_of_51_policies_ends_with_the_expected_outcomes(
        tmp_path: Path, lines: dict[str, SippLine], customers: dict[str, KeypadCustomer]) -> None:
    routes = {prefix: line.template() for prefix, line in lines.items()}
    routes.update({number: peer.template() for number, peer in customers.items()})
    env = campaign_env(tmp_path, routes)
    specs = _policies()
    assert len(specs) == 51
    path = write_policies(tmp_path / "new_policies.csv", specs)
    imported = huifang(["campaign", "import", str(path)], env, 60)
    assert imported.returncode == 0, imported.stderr
    for k in range(2):
        added = huifang(["campaign", "dnc", "add", f"{DNC_RANGE}{k:03d}"], env, 30)
        assert added.returncode == 0, added.stderr

    run = huifang(["campaign", "run", "--until-idle", "--max-concurrent", "4"], env, 400)
    assert run.returncode == 0, run.stderr[-4000:]
    # A crashed worker is restarted and the campaign completes, but the calls it cut end as
    # `failed`, and a customer peer answers only once: the exact counts below need no crash.
    # (Workers used to die when pjsua2 freed a tap the bridge still called; see TapPool.)
    assert "campaign worker: died" not in run.stderr, run.stderr[-4000:]
    progress = [line for line in run.stderr.splitlines() if line.startswith("campaign ")]
    assert progress and "pending 0" in progress[-1]

    status = huifang(["campaign", "status", "--json"], env, 30)
    counts = json.loads(status.stdout)
    assert counts["final_outcomes"] == {"success": 3, "problem_case": 1, "wants_human": 1}
    assert counts["policies"] == {"done": 5, "letter_or_visit": 46}
    # Two attempts each (HUIFANG_CAMPAIGN_MAX_ATTEMPTS=2) except 空号, which ends at once.
    assert counts["attempts"] == {
        "busy": 24, "invalid_number": 8, "no_answer": 6 * 2 + 4 * 2, "refused": 12,
        "hung_up": 6 * 2 + 2 * 2, "success": 3, "problem_case": 1, "wants_human": 1}
    assert counts["attempts_running"] == 0

    # Every peer saw exactly the INVITEs the outcomes account for; the DNC numbers none.
    invites: Counter[str] = Counter()
    for line in lines.values():
        invites.update(line.invites())
    for prefix, (_, replace, count) in SIPP_LINES.items():
        expected = 1 if replace.get("@CODE@") == "404" else 2
        got = {number: n for number, n in invites.items() if number.startswith(prefix)}
        assert got == {f"{prefix}{k:03d}": expected for k in range(count)}, prefix
    assert invites[SHARED_NUMBER] == 4
    assert not any(number.startswith(DNC_RANGE) for number in invites)
    assert all(peer.calls_taken() == 1 for peer in customers.values())

    letters = {p["policy_no"]: p["reason"] for p in counts["letter_or_visit"]}
    assert letters["D0000"] == "number on the do-not-call list"
    assert letters["C2000"].startswith("invalid number (空号)")
    assert letters["C1000"].splitlines()[0] == "unreached after 2 attempts"

    # The shared number was never dialled twice at once.
    db = open_database(env["HUIFANG_DB_URL"])
    with db.session() as session:
        shared = session.scalars(select(CampaignAttempt)
                                 .where(CampaignAttempt.phone == SHARED_NUMBER)
                                 .order_by(CampaignAttempt.started_at)).all()
        calls = [a.call for a in shared]
        spans = sorted((c.started_at, c.ended_at) for c in calls if c is not None)
    db.close()
    assert len(spans) == 4
    for (_, earlier_end), (later_start, _) in itertools.pairwise(spans):
        assert earlier_end is not None and earlier_end <= later_start


def test_more_than_four_calls_run_in_worker_processes_sharing_the_database(
        tmp_path: Path) -> None:
    """--max-concurrent 8: two workers of 4 calls claim from one database, nobody twice."""
    # The workers dial once both phones are up (the run's start gate): before it, a fresh-clone
    # CI run saw the first worker dial all 40 attempts while the second had not claimed one.
    # Calls of 10 s keep both workers' lines busy for a while.
    talk = SippLine("uas_answer_hangup.xml", tmp_path, {"@PAUSE_MS@": "10000"}, name="talk")
    busy = SippLine("uas_refuse.xml", tmp_path, {"@CODE@": "486"}, name="busy")
    try:
        env = campaign_env(tmp_path, {"13900001": talk.template(), "13900002": busy.template()})
        today = date.today()
        specs = [PolicySpec(f"T{k:04d}", f"13900001{k:03d}", today) for k in range(12)]
        specs += [PolicySpec(f"B{k:04d}", f"13900002{k:03d}", today) for k in range(8)]
        path = write_policies(tmp_path / "p.csv", specs)
        assert huifang(["campaign", "import", str(path)], env, 60).returncode == 0
        run = huifang(["campaign", "run", "--until-idle", "--max-concurrent", "8"], env, 300)
        assert run.returncode == 0, run.stderr[-4000:]
        assert "campaign: 2 of 2 workers ready after" in run.stderr, run.stderr[-3000:]
        db = open_database(env["HUIFANG_DB_URL"])
        with db.session() as session:
            attempts = session.scalars(select(CampaignAttempt)).all()
        db.close()
        # Two workers (a third if the SIP stack crashed one and it was started again, see
        # `campaign worker: died` on stderr: its cut calls are settled, not dialled again).
        assert len({a.worker for a in attempts}) >= 2, run.stderr[-3000:]
        cut = {a.phone for a in attempts if (a.detail or "").startswith("worker stopped")}
        assert Counter(a.phone for a in attempts if a.dialled) == Counter(
            {spec.phone: 2 for spec in specs})
        outcomes = Counter(a.outcome.value for a in attempts
                           if a.outcome is not None and a.phone not in cut)
        odd = [(a.phone, a.outcome, a.detail) for a in attempts
               if a.outcome is not None and a.outcome.value not in {"hung_up", "busy"}
               and a.phone not in cut]
        assert set(outcomes) <= {"hung_up", "busy"}, (odd, run.stderr[-3000:])
        invites = talk.invites() + busy.invites()
        assert all(invites[spec.phone] == 2 for spec in specs if spec.phone not in cut)
        assert all(invites[phone] <= 2 for phone in cut)
    finally:
        talk.kill()
        busy.kill()
