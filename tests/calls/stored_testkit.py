"""Helpers for the stored-callback tests: a policy file imported by `huifang policies import`,
the database it went into, and a `huifang serve` process."""

from __future__ import annotations

import csv
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from callback_testkit import ROOT

from storage.database import Database, open_database

COLUMNS = ("policy_no", "product_family", "product_name", "holder_name", "holder_gender",
           "holder_birth_date", "holder_id_last4", "phone", "sign_date", "receipt_date",
           "cooling_off_days", "salesperson", "team", "outlet", "branch", "insured_name",
           "premium_yuan", "payment_years", "payment_frequency")


def policy_row(policy_no: str, phone: str, *, received_days_ago: int = 2,
               **changes: str) -> dict[str, str]:
    """A 传统 regular-premium policy (all seven items apply) received `received_days_ago`."""
    receipt = date.today() - timedelta(days=received_days_ago)
    row = {
        "policy_no": policy_no, "product_family": "传统", "product_name": "康宁终身寿险",
        "holder_name": "王秀英", "holder_gender": "女", "holder_birth_date": "1965-03-08",
        "holder_id_last4": "4021", "phone": phone,
        "sign_date": (receipt - timedelta(days=3)).isoformat(), "receipt_date": receipt.isoformat(),
        "cooling_off_days": "15", "salesperson": "李明", "team": "天河一组",
        "outlet": "广州天河营业部", "branch": "广东分公司", "insured_name": "王秀英",
        "premium_yuan": "5000", "payment_years": "10", "payment_frequency": "年交",
    }
    row.update(changes)
    return row


def import_policies(directory: Path, rows: list[dict[str, str]], env: dict[str, str]) -> None:
    """Write the rows as a CSV and import them with `huifang policies import`."""
    path = directory / "policies.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    done = subprocess.run([sys.executable, "-m", "huifang", "policies", "import", str(path)],
                          capture_output=True, text=True, cwd=ROOT, env=env, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def db_url(directory: Path) -> str:
    """A SQLite database file in `directory`."""
    return f"sqlite:///{directory / 'huifang.db'}"


def open_db(url: str) -> Database:
    """The test's database, to read what the commands stored."""
    return open_database(url)


class CallbackServer:
    """`huifang serve` in a subprocess: its port from stderr, one JSON line per ended call."""

    def __init__(self, env: dict[str, str], ready_timeout: float = 120.0) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "huifang", "serve"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     cwd=ROOT, env=env, start_new_session=True)
        self.calls: queue.Queue[dict[str, Any]] = queue.Queue()
        self.errors: list[str] = []
        self._port: queue.Queue[int] = queue.Queue()
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()
        try:
            self.port = self._port.get(timeout=ready_timeout)
        except queue.Empty:
            self.kill()
            raise AssertionError(f"huifang serve never listened:\n{self.stderr}") from None

    def _read_stdout(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.calls.put(json.loads(line))

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.errors.append(line)
            found = re.search(r"listening on sip:\S+@[\d.]+:(\d+)", line)
            if found:
                self._port.put(int(found.group(1)))

    @property
    def stderr(self) -> str:
        """What the server logged so far."""
        return "".join(self.errors)

    def uri(self, user: str = "huifang") -> str:
        """Where the server answers."""
        return f"sip:{user}@127.0.0.1:{self.port}"

    def next_call(self, timeout: float) -> dict[str, Any]:
        """The JSON line of the next call that ended."""
        try:
            return self.calls.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no call ended in {timeout} s:\n{self.stderr[-4000:]}") from None

    def terminate(self, timeout: float = 30.0) -> int:
        """SIGTERM, and the exit status once it has stopped."""
        self.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        if self.proc.poll() is None:
            self.kill()
            raise AssertionError(f"huifang serve ignored SIGTERM:\n{self.stderr[-4000:]}")
        return self.proc.returncode

    def kill(self) -> None:
        """SIGKILL the server's process group (no-op once it has exited)."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
