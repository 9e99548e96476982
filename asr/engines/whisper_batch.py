"""Decodes of several streams run as one batch: one encoder pass and one beam search for all.

Each stream's worker thread hands its utterance to a `DecodeBatcher` and waits for its own
result. A batch thread (one per model replica) takes what is queued once it is free — with what
arrives within `window_s` of the first item, up to `max_batch` — runs it as one batch and gives
each caller its result, or the batch's error. CTranslate2 decodes each row of a batch as it would
alone (tests/asr/test_asr_whisper_batch.py checks the texts on corpus clips), so batching
changes when a text comes, not what it says.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Generic, TypeVar

from asr.errors import AsrError

T = TypeVar("T")
R = TypeVar("R")


class BatchDecodeError(AsrError):
    """A batch could not be decoded, or the batcher was closed before the item's turn."""

    code = "batch_decode_failed"


@dataclass(frozen=True)
class BatchPolicy:
    """When a batch starts: `window_s` after its first item, or at once when `max_batch` wait.

    `max_pending` bounds the queue: a caller past it waits for room (each stream has at most
    one utterance in flight, so this bounds only runaway callers).
    """

    window_s: float = 0.005
    max_batch: int = 8
    max_pending: int = 64

    def __post_init__(self) -> None:
        if self.window_s < 0 or self.max_batch < 1 or self.max_pending < self.max_batch:
            raise ValueError(f"bad batch policy {self}: window ≥ 0, 1 ≤ max_batch ≤ max_pending")


class BatchCollector(Generic[T]):
    """Which queued items form the next batch, and when: the policy alone, the clock passed in."""

    def __init__(self, policy: BatchPolicy) -> None:
        self.policy = policy
        self._items: deque[tuple[float, T]] = deque()
        self._released = False  # what a thread left of a due batch is due too

    def __len__(self) -> int:
        return len(self._items)

    @property
    def full(self) -> bool:
        """Whether the queue is at `max_pending`."""
        return len(self._items) >= self.policy.max_pending

    def add(self, item: T, now: float) -> None:
        """Queue an item that arrived at `now`."""
        self._items.append((now, item))

    def due_in(self, now: float) -> float | None:
        """Seconds until the next batch should start (0: now); None while nothing is queued."""
        if not self._items:
            return None
        if self._released or len(self._items) >= self.policy.max_batch:
            return 0.0
        return max(0.0, self._items[0][0] + self.policy.window_s - now)

    def take(self, threads: int = 1) -> list[T]:
        """The oldest items, up to `max_batch`, out of the queue; with `threads` batch threads
        idle, this one's share of them (one replica must not take all while another idles)."""
        share = -(-len(self._items) // threads)
        count = min(share, self.policy.max_batch)
        taken = [self._items.popleft()[1] for _ in range(count)]
        self._released = bool(self._items) and count < self.policy.max_batch
        return taken


@dataclass
class _Job(Generic[T, R]):
    item: T
    future: Future[R]


class DecodeBatcher(Generic[T, R]):
    """`threads` threads running `run` over batches of the items callers submit; thread-safe."""

    def __init__(self, run: Callable[[list[T]], Sequence[R]], policy: BatchPolicy,
                 clock: Callable[[], float] = time.monotonic, name: str = "whisper-batch",
                 threads: int = 1) -> None:
        self._run = run
        self._clock = clock
        self._collector: BatchCollector[_Job[T, R]] = BatchCollector(policy)
        self._cond = threading.Condition()
        self._closed = False
        self._sizes: Counter[int] = Counter()
        self._busy = 0  # batch threads running a batch
        self._threads = [threading.Thread(target=self._loop, name=f"{name}-{k}", daemon=True)
                         for k in range(threads)]
        for thread in self._threads:
            thread.start()

    @property
    def batch_sizes(self) -> dict[int, int]:
        """Batches run so far, by size."""
        with self._cond:
            return dict(self._sizes)

    def submit(self, item: T) -> Future[R]:
        """Queue an item (waiting while the queue is full); its result comes on the future."""
        future: Future[R] = Future()
        with self._cond:
            while self._collector.full and not self._closed:
                self._cond.wait()
            if self._closed:
                raise BatchDecodeError("decode batcher closed: no more decodes")
            self._collector.add(_Job(item, future), self._clock())
            self._cond.notify_all()
        return future

    def decode(self, item: T) -> R:
        """Submit and wait: what one stream's worker calls."""
        return self.submit(item).result()

    def close(self) -> None:
        """Decode what is queued, then stop the threads."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        for thread in self._threads:
            thread.join()

    def _loop(self) -> None:
        while (jobs := self._next_batch()) is not None:
            self._run_batch(jobs)

    def _next_batch(self) -> list[_Job[T, R]] | None:
        """The next batch once due, shared with the other idle threads (None: closed)."""
        with self._cond:
            while True:
                wait = self._collector.due_in(self._clock())
                if wait is None and self._closed:
                    return None
                if wait == 0.0 or (wait is not None and self._closed):
                    jobs = self._collector.take(len(self._threads) - self._busy)
                    self._busy += 1
                    self._cond.notify_all()  # room for callers; the rest to an idle thread
                    return jobs
                self._cond.wait(wait)

    def _run_batch(self, jobs: list[_Job[T, R]]) -> None:
        with self._cond:
            self._sizes[len(jobs)] += 1
        try:
            self._decode(jobs)
        finally:
            with self._cond:
                self._busy -= 1

    def _decode(self, jobs: list[_Job[T, R]]) -> None:
        try:
            results = list(self._run([job.item for job in jobs]))
            if len(results) != len(jobs):
                raise BatchDecodeError(f"a batch of {len(jobs)} gave {len(results)} results")
        except Exception as err:  # every caller of the batch hears it; the thread goes on
            for job in jobs:
                job.future.set_exception(err)
            return
        for job, result in zip(jobs, results, strict=True):
            job.future.set_result(result)
