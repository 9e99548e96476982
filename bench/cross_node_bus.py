"""The cost of the cross-node bus: a hint published on node B, seen by a screen on node A.

Two `PostgresEventBus` objects (node a, node b) on one PostgreSQL, each with its own
connections, as two machines would have. A subscriber on node a watches a call; node b
publishes a hint every `--interval-ms` (a call's hint rate is far lower); each hint carries its
sequence number in its evidence, and the latency is publish → the subscriber's queue on node a.
The same run measures the in-process bus (the screen on the node holding the call) as the
baseline, so the bus's cost is a difference anyone can re-measure.

    PYTHONPATH=. HF_HUB_OFFLINE=1 .venv/bin/python bench/cross_node_bus.py --postgres
    PYTHONPATH=. .venv/bin/python bench/cross_node_bus.py --db-url postgresql+psycopg://…
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from voiceprint_search import throwaway_postgres

from agent_assist.events import Category, Flag, Hint, Leg, Severity
from huifang.calls.bus import EventBus, InProcessEventBus
from huifang.calls.pg_bus import PostgresEventBus

CALL_ID = 4242


def hint(seq: int) -> Hint:
    """A hint like the rules raise, its sequence number in the evidence."""
    flag = Flag("guarantee", Category.DECEPTION, "保本", Severity.HIGH, Leg.CUSTOMER,
                f"业务员说这个保本保息 #{seq}", 3.0, 4.5, (6, 10), "承诺保本", "请说明收益不确定")
    return Hint(flag, "销售误导：承诺保本", "请说明收益不确定")


def seq_of(event: object) -> int:
    """The sequence number a benchmark hint carries."""
    assert isinstance(event, Hint)
    return int(event.flag.text.rsplit("#", 1)[1])


async def measure(publisher: EventBus, watcher: EventBus, count: int,
                  interval_s: float) -> list[float]:
    """Latency (ms) of each of `count` hints from `publisher` to a screen on `watcher`."""
    sent: dict[int, float] = {}
    latencies: list[float] = []
    async with watcher.subscribe(CALL_ID) as events:
        async def receive() -> None:
            while len(latencies) < count:
                event = await asyncio.wait_for(events.get(), 10)
                latencies.append((time.perf_counter() - sent[seq_of(event)]) * 1000)

        receiver = asyncio.create_task(receive())
        for seq in range(count):
            sent[seq] = time.perf_counter()
            publisher.publish(CALL_ID, hint(seq))
            await asyncio.sleep(interval_s)
        await receiver
    return latencies


def report(name: str, latencies: list[float]) -> None:
    """One row: p50, p95, max in ms."""
    ordered = sorted(latencies)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    print(f"| {name} | {len(ordered)} | {statistics.median(ordered):.2f} | {p95:.2f} |"
          f" {ordered[-1]:.2f} |")


@contextmanager
def two_nodes(url: str) -> Iterator[tuple[PostgresEventBus, PostgresEventBus]]:
    """Nodes a and b LISTENing on one database."""
    node_a, node_b = PostgresEventBus(url, "a"), PostgresEventBus(url, "b")
    node_a.start()
    node_b.start()
    try:
        yield node_a, node_b
    finally:
        node_a.close()
        node_b.close()


def run(url: str, count: int, interval_ms: float) -> None:
    """Both rows, the in-process baseline first."""
    load = os.getloadavg()
    print(f"# {platform.node()} {os.cpu_count()} cores, load {load[0]:.1f}/{load[1]:.1f},"
          f" {count} hints every {interval_ms} ms")
    print("| bus | hints | p50 ms | p95 ms | max ms |\n|---|---|---|---|---|")
    local = InProcessEventBus()
    report("in-process (screen on the call's node)",
           asyncio.run(measure(local, local, count, interval_ms / 1000)))
    with two_nodes(url) as (node_a, node_b):
        report("PostgreSQL LISTEN/NOTIFY (screen on the other node)",
               asyncio.run(measure(node_b, node_a, count, interval_ms / 1000)))
        print(f"# node b sent {node_b.sent}, dropped {node_b.dropped};"
              f" node a received {node_a.received}")


def main() -> int:
    """Parse the options and run on the given or a throwaway PostgreSQL."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-url", help="an existing PostgreSQL (SQLAlchemy URL)")
    parser.add_argument("--postgres", action="store_true",
                        help="start a throwaway PostgreSQL on 127.0.0.1 for the run")
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--interval-ms", type=float, default=20.0)
    args = parser.parse_args()
    if args.db_url:
        run(args.db_url, args.count, args.interval_ms)
    elif args.postgres:
        with throwaway_postgres() as url:
            run(url, args.count, args.interval_ms)
    else:
        parser.error("give --postgres or --db-url")
    return 0


if __name__ == "__main__":
    sys.exit(main())
