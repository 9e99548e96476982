"""Failed sign-ins counted per (address, user name) over a sliding window: a pause after N."""

from __future__ import annotations

import threading
import time
from collections import deque


class LoginLimiter:
    """Refuses sign-in attempts for a key once it failed too often within the window."""

    def __init__(self, attempts: int, window_s: float) -> None:
        self._attempts = attempts
        self._window_s = window_s
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> float:
        """Seconds until the key may try again; 0 when it may try now."""
        with self._lock:
            failures = self._recent(key, time.monotonic())
            if len(failures) < self._attempts:
                return 0.0
            return max(0.0, failures[0] + self._window_s - time.monotonic())

    def failed(self, key: str) -> None:
        """Count one failed attempt."""
        with self._lock:
            self._recent(key, time.monotonic()).append(time.monotonic())

    def succeeded(self, key: str) -> None:
        """A good password clears the key's failures."""
        with self._lock:
            self._failures.pop(key, None)

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(key, deque())
        while failures and failures[0] <= now - self._window_s:
            failures.popleft()
        return failures
