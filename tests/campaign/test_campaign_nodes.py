"""Two nodes running one campaign from one real PostgreSQL: every attempt claimed once.

Each node is a CampaignRunner on its own thread and event loop with its own engine, as two
`huifang campaign run` processes on two machines would be; the calls are scripted coroutines.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from campaign_testkit import PolicySpec, phone_number, rules, shanghai, write_policies
from sqlalchemy import select

from huifang.campaign.configured import DialPlan
from huifang.campaign.ledger import Dial, enrol_file, resolve_abandoned
from huifang.campaign.runner import CallResult, CampaignRunner
from storage.campaign_models import AttemptOutcome, AttemptStatus, CampaignAttempt
from storage.campaigns import CampaignStore
from storage.database import open_database

sys.path.insert(0, str(Path(__file__).parents[1] / "storage"))
from storage_testkit import fresh_postgres_database, postgres_cluster

MONDAY = date(2026, 11, 23)
NOW = shanghai(MONDAY, 10)
POLICIES = 100


@pytest.fixture(scope="module")
def pg_admin() -> Iterator[str]:
    with postgres_cluster() as url:
        yield url


class Line:
    """One node's line: a policy's first call is not answered when its number is odd.

    With `both` given, no call ends before each node has dialled once: a node whose thread
    started late on a loaded machine would otherwise find every policy already dialled."""

    def __init__(self, node: str, log: list[tuple[str, str]], lock: threading.Lock,
                 both: threading.Event | None = None) -> None:
        self.node, self.log, self.lock, self.both = node, log, lock, both

    async def place(self, dial: Dial, on_dialled: Callable[[int], None]) -> CallResult:
        with self.lock:
            self.log.append((self.node, dial.policy_no))
            tries = sum(1 for _, policy in self.log if policy == dial.policy_no)
            if self.both is not None and len({node for node, _ in self.log}) > 1:
                self.both.set()
        if self.both is not None:
            await asyncio.to_thread(self.both.wait, 60)
        await asyncio.sleep(0.005)
        odd = int(dial.policy_no[1:]) % 2 == 1
        outcome = AttemptOutcome.NO_ANSWER if odd and tries == 1 else AttemptOutcome.SUCCESS
        return CallResult(outcome, f"by {self.node}", None)


def test_two_nodes_on_one_postgres_dial_each_attempt_once(tmp_path: Path, pg_admin: str) -> None:
    url = fresh_postgres_database(pg_admin)
    setup = open_database(url)
    specs = [PolicySpec(f"P{n:05d}", phone_number(n), MONDAY - timedelta(days=3))
             for n in range(POLICIES)]
    enrol_file(setup, write_policies(tmp_path / "p.csv", specs), NOW)
    setup.close()
    log: list[tuple[str, str]] = []
    lock, both = threading.Lock(), threading.Event()
    errors: list[BaseException] = []

    def node(name: str) -> None:
        db = open_database(url, upgrade=False)
        runner = CampaignRunner(db, rules(max_attempts=3, per_day=3, spacing_min=0),
                                DialPlan("sip:{phone}@gw"), Line(name, log, lock, both).place,
                                max_concurrent=6, lease=timedelta(minutes=20),
                                worker=f"{name}:1:t", clock=lambda: NOW)
        try:
            asyncio.run(runner.run(until_idle=True, poll_s=0.01))
        except BaseException as err:
            errors.append(err)
        finally:
            db.close()

    threads = [threading.Thread(target=node, args=(name,)) for name in ("node-a", "node-b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    dialled = Counter(policy for _, policy in log)
    odd = {f"P{n:05d}" for n in range(POLICIES) if n % 2}
    # Every policy: one attempt, or two when the first went unanswered; never more.
    assert dialled == Counter({spec.policy_no: 2 if spec.policy_no in odd else 1
                               for spec in specs})
    assert {node for node, _ in log} == {"node-a", "node-b"}  # both nodes took work
    db = open_database(url, upgrade=False)
    with db.session() as session:
        attempts = list(session.scalars(select(CampaignAttempt)))
        assert len(attempts) == POLICIES + len(odd)
        assert all(a.status is AttemptStatus.FINISHED for a in attempts)
        assert CampaignStore(session).counts().states == {"done": POLICIES}
    db.close()


def test_a_dead_nodes_lease_expires_and_another_node_settles_it(
        tmp_path: Path, pg_admin: str) -> None:
    url = fresh_postgres_database(pg_admin)
    db = open_database(url)
    specs = [PolicySpec("P00001", phone_number(1), MONDAY - timedelta(days=3))]
    enrol_file(db, write_policies(tmp_path / "p.csv", specs), NOW)
    with db.session() as session:
        store = CampaignStore(session)
        entry = store.waiting()[0]
        store.claim_attempt(entry.id, entry.policy.phone, "sip:x@gw", "far-host:99:dead",
                            NOW + timedelta(minutes=5), NOW)
    # Another host's worker: its pid cannot be checked here, only its lease.
    assert resolve_abandoned(db, NOW + timedelta(minutes=4), lambda w: False) == []
    settled = resolve_abandoned(db, NOW + timedelta(minutes=5), lambda w: False)
    assert settled == ["P00001: attempt 1 never dialled"]
    db.close()
