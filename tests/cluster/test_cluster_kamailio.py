"""Kamailio in front of two `huifang serve` nodes on one PostgreSQL: SIPp calls spread over both;
a node killed with SIGKILL mid-call drops out, the next calls go to the other, and the other
stores the call it was cut off in as interrupted."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from huifang.cluster.kamailio import ProxyConfig
from storage.database import open_database
from storage.models import CallDirection, CallRecord

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent / "storage"))
sys.path.insert(0, str(HERE.parent / "calls"))
from callback_testkit import call_env  # noqa: E402
from cluster_campaign_testkit import kamailio  # noqa: E402
from storage_testkit import fresh_postgres_database, postgres_cluster  # noqa: E402
from stored_testkit import CallbackServer  # noqa: E402

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("kamailio") is None, reason="needs kamailio")]


def _udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class Cluster:
    """What the fixture started: the database, the proxy's address, the nodes' ports."""

    db_url: str
    proxy: str
    node_ports: tuple[int, int]
    folder: Path


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    """A migrated PostgreSQL database and Kamailio dispatching over two node ports."""
    with postgres_cluster() as admin:
        url = fresh_postgres_database(admin)
        open_database(url).close()  # migrated once, before the nodes start
        ports = (_udp_port(), _udp_port())
        config = ProxyConfig(f"127.0.0.1:{_udp_port()}",
                             tuple(f"127.0.0.1:{port}" for port in ports), probe_interval_s=1)
        with kamailio(tmp_path, config):
            yield Cluster(url, config.listen, ports, tmp_path)


def _node(cluster: Cluster, index: int) -> CallbackServer:
    name = "ab"[index]
    env = call_env(cluster.folder / f"rec-{name}", HUIFANG_DB_URL=cluster.db_url,
                   HUIFANG_SIP_PORT=str(cluster.node_ports[index]),
                   HUIFANG_NODE_NAME=f"node-{name}", HUIFANG_NODE_SWEEP_S="0.5",
                   # as `huifang cluster up` sets it: calls the node places go via Kamailio
                   HUIFANG_SIP_OUTBOUND_PROXY=f"sip:{cluster.proxy}")
    return CallbackServer(env)


def _sipp(cluster: Cluster, calls: int) -> None:
    """`calls` SIPp callers through the proxy, two at a time; fails unless all end well."""
    done = subprocess.run(
        ["sipp", "-sf", str(HERE / "sipp" / "uac_via_proxy.xml"), "-i", "127.0.0.1",
         "-p", str(_udp_port()), "-m", str(calls), "-l", "2", "-r", "4", "-nostdin",
         "-base_cseq", "1", "-timeout", "60s", "-timeout_error",
         cluster.proxy],
        capture_output=True, text=True, timeout=90, check=False, cwd=cluster.folder)
    log = (cluster.folder / "kamailio.log").read_text(errors="replace")[-3000:]
    assert done.returncode == 0, f"{done.stdout[-2000:]}{done.stderr[-2000:]}\n{log}"


def _inbound_by_node(url: str) -> dict[str, list[str | None]]:
    database = open_database(url, upgrade=False)
    try:
        with database.session() as session:
            calls = session.query(CallRecord).filter(
                CallRecord.direction == CallDirection.INBOUND).order_by(CallRecord.id).all()
            found: dict[str, list[str | None]] = {}
            for call in calls:
                found.setdefault(call.owner_node or "", []).append(call.outcome)
            return found
    finally:
        database.close()


def _open_calls(url: str, node: str) -> int:
    database = open_database(url, upgrade=False)
    try:
        with database.session() as session:
            return session.query(CallRecord).filter(CallRecord.owner_node == node,
                                                    CallRecord.ended_at.is_(None)).count()
    finally:
        database.close()


def test_calls_through_kamailio_spread_over_both_nodes_and_skip_a_killed_one(
        cluster: Cluster) -> None:
    nodes = [_node(cluster, 0), _node(cluster, 1)]
    cut: subprocess.Popen[str] | None = None
    try:
        _sipp(cluster, 4)
        spread = _inbound_by_node(cluster.db_url)
        assert sorted(spread) == ["node-a", "node-b"], spread
        assert sum(len(outcomes) for outcomes in spread.values()) == 4
        # Two more callers; once node b holds one, SIGKILL it mid-call.
        cut = subprocess.Popen(
            ["sipp", "-sf", str(HERE / "sipp" / "uac_via_proxy.xml"), "-i", "127.0.0.1",
             "-p", str(_udp_port()), "-m", "2", "-l", "2", "-nostdin", cluster.proxy],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True,
            cwd=cluster.folder, start_new_session=True)
        deadline = time.monotonic() + 30
        while _open_calls(cluster.db_url, "node-b") == 0:
            assert time.monotonic() < deadline, "node b never took the call"
            time.sleep(0.1)
        nodes[1].kill()  # SIGKILL: node b is gone mid-call; the proxy's probes take it out
        _sipp(cluster, 3)
        after = _inbound_by_node(cluster.db_url)
        assert len(after["node-b"]) == len(spread["node-b"]) + 1, after
        assert len(after["node-a"]) >= len(spread["node-a"]) + 3, after  # + the other caller
        # Node a's sweep found node b gone (its advisory lock dropped with its connections)
        # and stored the call it was cut off in as interrupted.
        deadline = time.monotonic() + 30
        while _open_calls(cluster.db_url, "node-b"):
            assert time.monotonic() < deadline, "node b's cut call never settled"
            time.sleep(0.2)
        assert _inbound_by_node(cluster.db_url)["node-b"][-1] == "interrupted"
        assert "settled for a dead node" in nodes[0].stderr
    finally:
        if cut is not None:
            cut.kill()
        for node in nodes:
            node.kill()
