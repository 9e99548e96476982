"""Benchmark: duplicate-voice search over N stored voiceprints (default 100 000); p50/p95.

`--store memory` (default) searches the in-memory index (the file store's matrix).
`--store database` stores them through storage.voiceprints (the table every node shares):
`--postgres` starts a throwaway PostgreSQL on 127.0.0.1 (initdb in a temporary folder),
`--db-url URL` uses one given, else a temporary SQLite file. It then times the load of a new
process's cache, the steady search (each with its refresh query), a search right after another
node added one voiceprint, and one right after another node deleted one.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path

import numpy as np
import numpy.typing as npt
from sqlalchemy import insert, select

from agent_assist.duplicate_voice import find_duplicate_voices
from agent_assist.voice_cues import PolicyholderRecord
from agent_assist.voice_estimates import VoiceGender
from agent_assist.voiceprint import SAME_VOICE_THRESHOLD, VOICEPRINT_DIM
from agent_assist.voiceprint_index import VoiceprintEntry, VoiceprintIndex, VoiceprintSearch
from huifang.cluster.local import LocalCluster, start_postgres, stop_postgres
from storage.database import Database, open_database
from storage.models import CallDirection, CallRecord
from storage.voiceprints import DatabaseVoiceprints

KEY = b"bench voiceprint pseudonym key 32"
_BATCH = 10_000


def random_voiceprints(count: int, rng: np.random.Generator) -> npt.NDArray[np.float32]:
    """Unit vectors in the positive orthant, like resemblyzer's (its last layer is a ReLU)."""
    vectors = np.abs(rng.standard_normal((count, VOICEPRINT_DIM))).astype(np.float32)
    unit: npt.NDArray[np.float32] = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    return unit


def _entries(count: int, call_ids: list[str] | None = None) -> list[VoiceprintEntry]:
    """`count` entries from 200 salespeople in 40 teams."""
    return [
        VoiceprintEntry(
            policyholder_id=f"H{i:07d}", policy_no=f"P{i:09d}",
            call_id=call_ids[i] if call_ids else f"C{i}",
            salesperson=f"S{i % 200:03d}", team=f"T{i % 40:02d}", outlet=f"O{i % 80:02d}",
            branch=f"B{i % 8}",
        )
        for i in range(count)
    ]


def build_index(count: int, rng: np.random.Generator) -> VoiceprintIndex:
    """An in-memory index of `count` voiceprints."""
    index = VoiceprintIndex(None, store_allowed=True)
    index.add_many(_entries(count), random_voiceprints(count, rng))
    return index


def _calls(db: Database, count: int) -> list[str]:
    """`count` finished calls for the voiceprints to name (one bulk INSERT per batch)."""
    now = datetime.now(UTC)
    row = {"direction": CallDirection.OUTBOUND, "sip_uri": "sip:bench", "started_at": now,
           "ended_at": now, "outcome": "completed"}
    with db.session() as session:
        first = session.scalar(select(CallRecord.id).order_by(CallRecord.id.desc()).limit(1))
        for start in range(0, count, _BATCH):
            session.execute(insert(CallRecord), [row] * min(_BATCH, count - start))
        ids = session.scalars(select(CallRecord.id).where(CallRecord.id > (first or 0))
                              .order_by(CallRecord.id)).all()
    return [str(i) for i in ids]


def _fill(store: DatabaseVoiceprints, entries: list[VoiceprintEntry],
          vectors: npt.NDArray[np.float32]) -> None:
    for start in range(0, len(entries), _BATCH):
        store.add_many(entries[start:start + _BATCH], vectors[start:start + _BATCH])


def _ms(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def _quantiles(latencies: list[float]) -> str:
    cuts = statistics.quantiles(latencies, n=100)
    return f"p50 {cuts[49]:.2f}  p95 {cuts[94]:.2f}  max {max(latencies):.2f}"


def _search_all(index: VoiceprintSearch, queries: npt.NDArray[np.float32]) -> tuple[list[float],
                                                                                   int]:
    """Time one duplicate search per query; how many found their planted duplicate."""
    record = PolicyholderRecord(
        "Hquery", "Pquery", VoiceGender.FEMALE, date(1956, 3, 1), salesperson="S001", team="T01"
    )
    latencies: list[float] = []
    found = 0
    for i, query in enumerate(queries):
        started = time.perf_counter()
        matches = find_duplicate_voices(index, query, record, SAME_VOICE_THRESHOLD)
        latencies.append((time.perf_counter() - started) * 1000)
        found += any(m.entry.policyholder_id == index.holder_key(f"Hdup{i}") for m in matches)
    return latencies, found


def _planted(count: int, call_ids: list[str] | None = None) -> list[VoiceprintEntry]:
    return [VoiceprintEntry(f"Hdup{i}", f"Pdup{i}", call_ids[i] if call_ids else f"Cdup{i}",
                            salesperson="S001") for i in range(count)]


def run_memory(args: argparse.Namespace) -> None:
    """The in-memory index: one matrix-vector product per search."""
    rng = np.random.default_rng(7)
    index = build_index(args.count, rng)
    queries = random_voiceprints(args.queries, rng)
    index.add_many(_planted(args.queries), queries)
    latencies, found = _search_all(index, queries)
    print(f"memory: {len(index)} stored voiceprints, {args.queries} searches, threshold "
          f"{SAME_VOICE_THRESHOLD}: planted duplicate found {found}/{args.queries}")
    print(f"latency ms: {_quantiles(latencies)}")


def run_database(args: argparse.Namespace, url: str) -> None:
    """The shared table: fill it from one node, then search from another node's store."""
    rng = np.random.default_rng(7)
    writer_db, reader_db = open_database(url), open_database(url)
    try:
        writer = DatabaseVoiceprints(writer_db.engine, True, KEY)
        queries = random_voiceprints(args.queries, rng)
        started = time.perf_counter()
        calls = _calls(writer_db, args.count + args.queries + args.queries)
        _fill(writer, _entries(args.count, calls), random_voiceprints(args.count, rng))
        writer.add_many(_planted(args.queries, calls[args.count:]), queries)
        filled_s = time.perf_counter() - started
        reader = DatabaseVoiceprints(reader_db.engine, False, KEY)
        load_ms = _ms(lambda: len(reader))
        latencies, found = _search_all(reader, queries)
        refresh = [_ms(partial(len, reader)) for _ in range(args.queries)]
        spare = calls[args.count + args.queries:]
        extra = random_voiceprints(args.queries, rng)
        after_add: list[float] = []
        for i, vector in enumerate(extra):  # another node adds one, then this one searches
            writer.replace_call(VoiceprintEntry(f"Hnew{i}", f"Pnew{i}", spare[i]), vector)
            query = queries[i % len(queries)]
            after_add.append(_ms(partial(reader.search, query, SAME_VOICE_THRESHOLD)))
        after_delete: list[float] = []
        for i in range(min(20, len(extra))):  # another node deletes one, then this one searches
            writer.remove_call(spare[i])
            after_delete.append(_ms(partial(reader.search, queries[i], SAME_VOICE_THRESHOLD)))
        print(f"database {writer_db.engine.dialect.name}: {len(reader)} stored voiceprints"
              f" (filled in {filled_s:.1f} s), {args.queries} searches from another engine,"
              f" threshold {SAME_VOICE_THRESHOLD}: planted duplicate found"
              f" {found}/{args.queries}")
        print(f"cache load of a new process (or after missing pruned deletions):"
              f" {load_ms:.0f} ms")
        print(f"latency ms (refresh query + search): {_quantiles(latencies)}")
        print(f"latency ms of the refresh query alone (nothing new): {_quantiles(refresh)}")
        print(f"latency ms right after another node added one: {_quantiles(after_add)}")
        print(f"latency ms right after another node deleted one ({len(after_delete)}):"
              f" {_quantiles(after_delete)}")
    finally:
        writer_db.close()
        reader_db.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """A PostgreSQL cluster in a temporary folder on a free port, removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="huifang-bench-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    cluster = LocalCluster(folder=folder, pg_port=_free_port())
    data = start_postgres(cluster)
    try:
        yield cluster.db_url
    finally:
        stop_postgres(data)
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    """Build the store, then time `--queries` searches, each with a planted duplicate."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--store", choices=("memory", "database"), default="memory")
    parser.add_argument("--postgres", action="store_true",
                        help="database store on a throwaway PostgreSQL")
    parser.add_argument("--db-url", default=None, help="database store on this database")
    args = parser.parse_args()
    if args.store == "memory":
        run_memory(args)
    elif args.postgres:
        with throwaway_postgres() as url:
            run_database(args, url)
    elif args.db_url:
        run_database(args, args.db_url)
    else:
        with tempfile.TemporaryDirectory() as folder:
            run_database(args, f"sqlite:///{folder}/bench.db")


if __name__ == "__main__":
    main()
