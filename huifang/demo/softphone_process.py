"""The scripted softphone (huifang.demo.softphone) as a child process, followed line by line."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


class SoftphoneError(RuntimeError):
    """The softphone did not do what was waited for; the message carries its output."""


class EventLines:
    """A softphone-like child process whose stdout JSON lines arrive on a queue, in order.

    The one reader behind the demo's softphone and the tests' and benchmarks' peers: every
    line is kept (`output`, for error messages), every JSON line is an event (`seen`, all of
    them; `events`, those not yet waited for).
    """

    def __init__(self, args: list[str], name: str = "softphone") -> None:
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, cwd=ROOT, start_new_session=True)
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.seen: list[dict[str, Any]] = []
        self.output: list[str] = []
        threading.Thread(target=self._read, name=name, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.output.append(line)
            if line.startswith("{"):
                event = json.loads(line)
                self.seen.append(event)
                self.events.put(event)

    def next_event(self, name: str, timeout: float,
                   skipped: list[dict[str, Any]] | None = None) -> dict[str, Any] | None:
        """The next event called `name` within `timeout` s, others passed over (kept in
        `skipped` when given); None on timeout."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                break
            if event["event"] == name:
                return event
            if skipped is not None:
                skipped.append(event)
        return None

    def tail(self, lines: int | None = None) -> str:
        """The process's last `lines` output lines (all when None), for an error message."""
        return "".join(self.output if lines is None else self.output[-lines:])

    def kill(self) -> None:
        """SIGKILL its process group (no-op once it has exited)."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(5)


class SoftphoneProcess:
    """A softphone answering on 127.0.0.1 that speaks its turns; its JSON events on a queue."""

    def __init__(self, user: str, turns: list[str], *, hangup_after_s: float | None = None,
                 lifetime_s: float = 300.0) -> None:
        args = [sys.executable, "-m", "huifang.demo.softphone", "--user", user,
                "--lifetime", str(lifetime_s)]
        args += [a for turn in turns for a in ("--turn", turn)]
        if hangup_after_s is not None:
            args += ["--hangup-after-turns", str(hangup_after_s)]
        self.user = user
        self.lines = EventLines(args, name=f"softphone-{user}")
        self.proc = self.lines.proc
        self.seen = self.lines.seen
        try:
            self.uri: str = self.wait_for("ready", 20)["uri"]
        except SoftphoneError:
            self.kill()
            raise

    def wait_for(self, name: str, timeout: float) -> dict[str, Any]:
        """The next event called `name`; SoftphoneError with the output on timeout."""
        event = self.lines.next_event(name, timeout)
        if event is None:
            raise SoftphoneError(f"softphone {self.user}: no {name!r} in {timeout} s:\n"
                                 + self.lines.tail(40))
        return event

    def said(self) -> list[dict[str, Any]]:
        """Every `said` event so far: wav, start and end (CLOCK_MONOTONIC seconds)."""
        return [event for event in self.seen if event["event"] == "said"]

    def kill(self) -> None:
        """SIGKILL its process group (no-op once it has exited)."""
        self.lines.kill()

    def __enter__(self) -> SoftphoneProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.kill()
