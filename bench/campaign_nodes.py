"""Benchmark: policies per hour with one node and with two, dialling through Kamailio.

One PostgreSQL cluster; for each node count in --nodes, a fresh database, a SIPp trunk that
answers every number and hangs up after --talk-ms (a silent customer: our prompts play, the
call is recorded and its audio goes through VAD, nothing is decoded), Kamailio sending the
nodes' INVITEs to it, and that many real `huifang campaign run --max-concurrent LINES`
processes (one per node, own node name and ports, HUIFANG_SIP_OUTBOUND_PROXY = Kamailio).
The nodes start, load their engine and phone, and only then are the --policies imported, so
the figure is the dialling itself: policies / (last attempt's end - first attempt's start).
It also checks what the cluster test checks: each policy dialled once, every attempt settled.

    PYTHONPATH=$PWD HF_HUB_OFFLINE=1 nice -n 10 .venv/bin/python bench/campaign_nodes.py \\
        --policies 100 --talk-ms 5000 --lines 4 --nodes 1,2

Parts shared with tests/cluster/test_cluster_campaign.py (cluster_campaign_testkit.py).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "cluster"))
sys.path.insert(0, str(ROOT / "tests" / "storage"))
from cluster_campaign_testkit import Node, centre, enrol, ledger, nodes_up, wait_until  # noqa: E402
from storage_testkit import fresh_postgres_database, postgres_cluster  # noqa: E402

from storage.database import open_database  # noqa: E402


def run_once(folder: Path, admin: str, nodes: int, args: argparse.Namespace) -> dict[str, object]:
    """One campaign of args.policies dialled by `nodes` nodes; its rate and checks."""
    url = fresh_postgres_database(admin)
    open_database(url).close()
    folder.mkdir()
    load_before = os.getloadavg()
    with centre(folder, url, nodes=nodes, talk_ms=args.talk_ms) as site:
        running = [Node(site, i, lines=args.lines) for i in range(nodes)]
        try:
            wait_until(lambda: nodes_up(url) == nodes, "nodes up", 300, running)
            enrol(site, args.policies)
            t0 = time.monotonic()
            wait_until(lambda: (lambda now: now.policies_with_attempt == args.policies
                                and now.open_attempts == 0)(ledger(url)),
                       "campaign done", 3600, running)
            wall = time.monotonic() - t0
            for node in running:
                node.stop()
        finally:
            for node in running:
                node.kill()
        invites = site.trunk.invites()
    done = ledger(url)
    span = done.last_end_s - done.first_start_s
    return {
        "nodes": nodes, "lines_per_node": args.lines, "policies": args.policies,
        "talk_ms": args.talk_ms, "span_s": round(span, 1), "wall_after_import_s": round(wall, 1),
        "policies_per_hour": round(args.policies / span * 3600),
        "attempt_s_mean": round(done.attempt_s, 1), "call_s_mean": round(done.call_s, 1),
        "outcomes": dict(done.outcomes), "calls_by_node": dict(done.calls_by_node),
        "dialled_at_most_once": max(done.dialled.values()) == 1,
        "all_settled": done.open_attempts == 0 and done.without_outcome == 0,
        "trunk_invites": sum(invites.values()),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    """Run each node count in turn, print one JSON line each and a summary."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--policies", type=int, default=100)
    parser.add_argument("--talk-ms", type=int, default=5000,
                        help="the customer hangs up this long after answering (below the 8 s"
                             " media timeout: the trunk sends no audio)")
    parser.add_argument("--lines", type=int, default=4, help="calls at once per node")
    parser.add_argument("--nodes", default="1,2", help="node counts to run, in order")
    args = parser.parse_args()
    counts = [int(n) for n in args.nodes.split(",")]
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-campaign-nodes-") as tmp, \
            postgres_cluster() as admin:
        for nodes in counts:
            result = run_once(Path(tmp) / f"n{nodes}", admin, nodes, args)
            print(json.dumps(result), flush=True)
            results.append(result)
    base = results[0]
    print(json.dumps({"summary": {
        f"{r['nodes']}_nodes_policies_per_hour": r["policies_per_hour"] for r in results} | {
        "speed_up_vs_first": [round(float(r["policies_per_hour"])  # type: ignore[arg-type]
                                    / float(base["policies_per_hour"]), 2)  # type: ignore[arg-type]
                              for r in results]}}), flush=True)


if __name__ == "__main__":
    main()
