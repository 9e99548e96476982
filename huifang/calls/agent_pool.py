"""Agents free to take a robot callback's 转人工, each with their softphone URI."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass


@dataclass(frozen=True)
class FreeAgent:
    """A signed-in agent waiting for a call, and where their softphone answers."""

    user_id: int
    username: str
    softphone_uri: str


class AgentPool:
    """Free agents, longest waiting first; safe from the web's threads and the event loop."""

    def __init__(self) -> None:
        self._free: OrderedDict[int, FreeAgent] = OrderedDict()
        self._lock = threading.Lock()

    def offer(self, agent: FreeAgent) -> None:
        """The agent is free (again); a new URI replaces the old, their place in line is kept."""
        with self._lock:
            self._free[agent.user_id] = agent

    def withdraw(self, user_id: int) -> None:
        """The agent is no longer free."""
        with self._lock:
            self._free.pop(user_id, None)

    def is_free(self, user_id: int) -> bool:
        """Whether the agent waits for a call."""
        with self._lock:
            return user_id in self._free

    def take(self) -> FreeAgent | None:
        """The longest-waiting free agent, now busy; None when nobody is free."""
        with self._lock:
            if not self._free:
                return None
            return self._free.popitem(last=False)[1]
