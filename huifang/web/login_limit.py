"""Failed sign-ins counted over a sliding window, per (address, user name) and per address:
a pause after too many, in a table of bounded size."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

# One address may fail this many times the per-name limit (many names tried from one place)
# before all its sign-ins pause; so flooding the table with names cannot wash out a count.
ADDRESS_FACTOR = 6
MAX_KEYS = 10_000


class LoginLimiter:
    """Refuses sign-in attempts for a key once it failed too often within the window.

    Keys are (address, normalised name) and the address alone. The table holds at most
    `max_keys` keys: expired ones go first, then the least recently failed.
    """

    def __init__(
        self, attempts: int, window_s: float, *, max_keys: int = MAX_KEYS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:  # fmt: skip
        self._limits = (attempts, attempts * ADDRESS_FACTOR)
        self._window_s = window_s
        self._max_keys = max_keys
        self._clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def retry_after(self, address: str, name: str) -> float:
        """Seconds until this name may try again from this address; 0 when it may try now."""
        now = self._clock()
        with self._lock:
            waits = [
                self._wait(key, limit, now)
                for key, limit in zip(_keys(address, name), self._limits, strict=True)
            ]
        return max(waits)

    def failed(self, address: str, name: str) -> None:
        """Count one failed attempt."""
        now = self._clock()
        with self._lock:
            for key in _keys(address, name):
                failures = self._recent(key, now)
                failures.append(now)
                self._failures[key] = failures
                self._failures.move_to_end(key)
            self._bound(now)

    def succeeded(self, address: str, name: str) -> None:
        """A good password clears the name's failures from this address (not the address's)."""
        with self._lock:
            self._failures.pop(_keys(address, name)[0], None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._failures)

    def _wait(self, key: str, limit: int, now: float) -> float:
        failures = self._recent(key, now)
        if len(failures) < limit:
            return 0.0
        return max(0.0, failures[-limit] + self._window_s - now)

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.get(key, deque())
        while failures and failures[0] <= now - self._window_s:
            failures.popleft()
        return failures

    def _bound(self, now: float) -> None:
        """Keep the table within max_keys: drop expired keys, then the least recent."""
        if len(self._failures) <= self._max_keys:
            return
        for key in [k for k, f in self._failures.items() if not f or f[-1] <= now - self._window_s]:
            del self._failures[key]
        while len(self._failures) > self._max_keys:
            self._failures.popitem(last=False)


def _keys(address: str, name: str) -> tuple[str, str]:
    """The (address, name) key and the address key; the name in its normal form already."""
    return f"{address}|{name}", f"{address}|"
