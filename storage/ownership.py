"""Which process owns an open call: its node, pid and start time, and whether it still runs.

A call record is written when the call starts and finished when it ends; a process killed in
between leaves it open. Its owner says whose it was, so the next start settles only the calls
of processes that are gone (storage.recovery), never those of a process still serving — on
this node, a pid alone is not enough (pids are reused), so the process's start time is kept
too. Another node's processes cannot be seen from here: a node is declared dead from outside.
"""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CallOwner:
    """A process that handles calls: node name, pid, and its start time in clock ticks."""

    node: str
    pid: int
    started: str  # /proc/<pid>/stat's start time ("" where /proc is not there)

    @classmethod
    def this_process(cls, node: str = "") -> CallOwner:
        """The calling process, on `node` (default: the host's name)."""
        pid = os.getpid()
        return cls(node or platform.node(), pid, process_start(pid))

    def __str__(self) -> str:
        return f"{self.node}/{self.pid}"


def process_start(pid: int) -> str:
    """When process `pid` started (clock ticks since boot), "" when unknown or not running."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    # The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    fields = stat[stat.rfind(")") + 2:].split()
    return fields[19] if len(fields) > 19 else ""


def is_running(owner: CallOwner) -> bool:
    """True while `owner` (a process on this node) still runs: same pid, same start time."""
    if owner.started:
        return process_start(owner.pid) == owner.started
    try:
        os.kill(owner.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
