"""A campaign dialled over real SIP by two nodes through Kamailio, out to a trunk that answers.

Two real `huifang campaign run` processes (nodes a and b, one PostgreSQL) place their calls
through Kamailio (HUIFANG_SIP_OUTBOUND_PROXY), which sends them to the trunk, a SIPp server
answering every number and hanging up after a second; record-routed, so the trunk's BYE
comes back through the proxy to the node holding the call. Node b is SIGKILLed (its whole
process group) while it holds a call: node a settles b's attempts (its worker is gone) and
dials the rest. Each policy is dialled at most once (HUIFANG_CAMPAIGN_MAX_ATTEMPTS=1), every
attempt ends with an outcome, and the trunk saw exactly the INVITEs the ledger counts.

20 policies here to keep the suite short; the 100-policy run and the policies-per-hour figure
with one node and with two are bench/campaign_nodes.py.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "storage"))
from cluster_campaign_testkit import (  # noqa: E402
    NUMBER_PREFIX,
    Centre,
    Node,
    centre,
    enrol,
    ledger,
    nodes_up,
    wait_until,
)
from storage_testkit import fresh_postgres_database, postgres_cluster  # noqa: E402

from storage.database import open_database  # noqa: E402

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("kamailio") is None or shutil.which("sipp") is None,
                                 reason="needs kamailio and sipp")]

POLICIES = 20


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Centre]:
    with postgres_cluster() as admin:
        url = fresh_postgres_database(admin)
        open_database(url).close()  # migrated once, before the nodes start
        with centre(tmp_path, url, nodes=2, talk_ms=1000) as started:
            yield started


def test_two_nodes_dial_a_campaign_through_kamailio_and_one_dies_mid_run(site: Centre) -> None:
    nodes = [Node(site, 0), Node(site, 1)]
    try:
        # Both nodes ready (engine loaded, phone up) before there is anything to dial, so
        # neither finds the campaign done by the other on a loaded machine.
        wait_until(lambda: nodes_up(site.db_url) == 2, "both nodes up", 240, nodes)
        specs = enrol(site, POLICIES)
        wait_until(lambda: ledger(site.db_url).open_calls["node-b"] > 0
                   and ledger(site.db_url).calls_by_node["node-a"] > 0,
                   "both nodes dialling", 120, nodes)
        nodes[1].kill()  # SIGKILL mid-call: node b's run and worker gone at once
        wait_until(lambda: (lambda now: now.policies_with_attempt == POLICIES
                            and now.open_attempts == 0)(ledger(site.db_url)),
                   "every policy attempted and settled", 240, nodes[:1])
        assert nodes[0].stop() == 0, nodes[0].stderr()[-3000:]
    finally:
        for node in nodes:
            node.kill()
    after = ledger(site.db_url)
    # Both nodes placed calls; b's cut call is settled (by a's runner: b's worker is gone).
    assert set(after.calls_by_node) == {"node-a", "node-b"}, after
    assert sum(after.open_calls.values()) == 0, after
    assert after.without_outcome == 0 and after.open_attempts == 0, after
    assert after.outcomes["failed"] >= 1, after  # the call node b was cut off in
    assert set(after.outcomes) <= {"hung_up", "failed"}, after
    # Each policy dialled at most once (one attempt allowed); all but node b's cut ones
    # (4 lines at most) answered and hung up by the customer.
    assert max(after.dialled.values()) == 1, after.dialled
    assert after.outcomes["hung_up"] >= POLICIES - 4, after
    assert set(after.dialled) <= {spec.phone for spec in specs}
    # The trunk got every dialled call once, through Kamailio (its Record-Route on them). The
    # call record is committed before the INVITE goes out: one node b had just stored when
    # killed counts as dialled (conservatively) though the trunk never saw it.
    invites = site.trunk.invites()
    missing = set(after.dialled) - set(invites)
    assert missing <= after.failed, (missing, after)
    assert max(invites.values()) == 1 and set(invites) <= set(after.dialled), invites
    assert all(number.startswith(NUMBER_PREFIX) for number in invites)
    trunk_log = site.trunk.log.read_text(errors="replace")
    assert f"Record-Route: <sip:{site.proxy};lr" in trunk_log
