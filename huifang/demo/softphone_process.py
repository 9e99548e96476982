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
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, cwd=ROOT, start_new_session=True)
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.seen: list[dict[str, Any]] = []
        self.output: list[str] = []
        threading.Thread(target=self._read, name=f"softphone-{user}", daemon=True).start()
        try:
            self.uri: str = self.wait_for("ready", 20)["uri"]
        except SoftphoneError:
            self.kill()
            raise

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.output.append(line)
            if line.startswith("{"):
                event = json.loads(line)
                self.seen.append(event)
                self.events.put(event)

    def wait_for(self, name: str, timeout: float) -> dict[str, Any]:
        """The next event called `name`; SoftphoneError with the output on timeout."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                break
            if event["event"] == name:
                return event
        raise SoftphoneError(f"softphone {self.user}: no {name!r} in {timeout} s:\n"
                             + "".join(self.output[-40:]))

    def said(self) -> list[dict[str, Any]]:
        """Every `said` event so far: wav, start and end (CLOCK_MONOTONIC seconds)."""
        return [event for event in self.seen if event["event"] == "said"]

    def kill(self) -> None:
        """SIGKILL its process group (no-op once it has exited)."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(5)

    def __enter__(self) -> SoftphoneProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.kill()
