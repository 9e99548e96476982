"""Benchmark: duplicate-voice search over N stored voiceprints (default 100 000); p50/p95."""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date

import numpy as np
import numpy.typing as npt

from agent_assist.duplicate_voice import find_duplicate_voices
from agent_assist.voice_cues import PolicyholderRecord
from agent_assist.voice_estimates import VoiceGender
from agent_assist.voiceprint import SAME_VOICE_THRESHOLD, VOICEPRINT_DIM
from agent_assist.voiceprint_index import VoiceprintEntry, VoiceprintIndex


def random_voiceprints(count: int, rng: np.random.Generator) -> npt.NDArray[np.float32]:
    """Unit vectors in the positive orthant, like resemblyzer's (its last layer is a ReLU)."""
    vectors = np.abs(rng.standard_normal((count, VOICEPRINT_DIM))).astype(np.float32)
    unit: npt.NDArray[np.float32] = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    return unit


def build_index(count: int, rng: np.random.Generator) -> VoiceprintIndex:
    """An in-memory index of `count` voiceprints from 200 salespeople in 40 teams."""
    index = VoiceprintIndex(None, store_allowed=True)
    entries = [
        VoiceprintEntry(
            policyholder_id=f"H{i:07d}", policy_no=f"P{i:09d}", call_id=f"C{i}",
            salesperson=f"S{i % 200:03d}", team=f"T{i % 40:02d}", outlet=f"O{i % 80:02d}",
            branch=f"B{i % 8}",
        )
        for i in range(count)
    ]
    index.add_many(entries, random_voiceprints(count, rng))
    return index


def main() -> None:
    """Build the index, then time `--queries` searches, each with a planted duplicate."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    index = build_index(args.count, rng)
    record = PolicyholderRecord(
        "Hquery", "Pquery", VoiceGender.FEMALE, date(1956, 3, 1), salesperson="S001", team="T01"
    )
    queries = random_voiceprints(args.queries, rng)
    index.add_many(
        [VoiceprintEntry(f"Hdup{i}", f"Pdup{i}", f"Cdup{i}", salesperson="S001")
         for i in range(args.queries)],
        queries,
    )
    latencies: list[float] = []
    found = 0
    for i, query in enumerate(queries):
        started = time.perf_counter()
        matches = find_duplicate_voices(index, query, record, SAME_VOICE_THRESHOLD)
        latencies.append((time.perf_counter() - started) * 1000)
        found += any(m.entry.policyholder_id == f"Hdup{i}" for m in matches)
    cuts = statistics.quantiles(latencies, n=100)
    print(f"{len(index)} stored voiceprints, {args.queries} searches, threshold "
          f"{SAME_VOICE_THRESHOLD}: planted duplicate found {found}/{args.queries}")
    print(f"latency ms: p50 {cuts[49]:.2f}  p95 {cuts[94]:.2f}  max {max(latencies):.2f}")


if __name__ == "__main__":
    main()
