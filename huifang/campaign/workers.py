"""Who claimed an attempt: a worker id per process, and whether that process is gone."""

from __future__ import annotations

import os
import secrets
import socket


def new_worker_id() -> str:
    """`host:pid:token`, unique per running process (the token outlives pid reuse)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def worker_gone(worker: str) -> bool:
    """Whether a worker of this host no longer runs; False for other hosts (their lease decides)."""
    host, _, rest = worker.partition(":")
    pid_text = rest.split(":", 1)[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, someone else's
        return False
    return False
