"""The start gate of a run's workers: each says when its phone is up, and all dial together.

Without it the first worker up claims the whole campaign while another is still loading its
model (or stuck starting), and the run's lines sit unused. A folder shared by the run and its
workers holds one `ready-N` file per worker that is up and a `go` file once dialling may begin;
a worker started again after a crash finds the gate open and dials at once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

GO_FILE = "go"
POLL_S = 0.1


@dataclass
class StartGate:
    """The gate's folder; the run opens it, the workers wait on it."""

    directory: Path

    def ready(self, worker: int) -> None:
        """Say that worker `worker` has its phone up."""
        (self.directory / f"ready-{worker}").touch()

    def ready_count(self) -> int:
        """How many workers have said they are up."""
        return sum(1 for _ in self.directory.glob("ready-*"))

    def open(self) -> None:
        """Let every worker dial."""
        (self.directory / GO_FILE).touch()

    def is_open(self) -> bool:
        """Whether dialling may begin."""
        return (self.directory / GO_FILE).exists()

    async def wait_open(self, stopped: Callable[[], bool]) -> None:
        """Return once the gate is open or `stopped()` (a signal came first)."""
        while not (self.is_open() or stopped()):
            await asyncio.sleep(POLL_S)


@dataclass
class GateKeeper:
    """The run's side: opens the gate when every worker is up, one exited, or time is out."""

    gate: StartGate
    workers: int
    wait_s: float
    clock: Callable[[], float] = time.monotonic
    started: float = field(init=False)

    def __post_init__(self) -> None:
        self.started = self.clock()

    def check(self, any_exited: bool) -> Opened | None:
        """Open the gate when due; what it opened on, or None (not now, or open already)."""
        if self.gate.is_open():
            return None
        ready = self.gate.ready_count()
        waited = self.clock() - self.started
        if ready < self.workers and not any_exited and waited < self.wait_s:
            return None
        self.gate.open()
        return Opened(ready, self.workers, waited)


@dataclass(frozen=True)
class Opened:
    """The gate opened with `ready` of `workers` up, `waited_s` after the run began."""

    ready: int
    workers: int
    waited_s: float

    @property
    def complete(self) -> bool:
        """Every worker was up."""
        return self.ready >= self.workers

    def line(self) -> str:
        """For the operator: `2 of 2 workers ready after 6.4 s; dialling`."""
        return f"{self.ready} of {self.workers} workers ready after {self.waited_s:.1f} s; dialling"
