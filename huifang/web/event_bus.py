"""In-process publish/subscribe of one call's live events, for the agent screen's websocket.

The callback and live pipelines publish from their own threads or the event loop; each
subscriber gets a bounded queue on its own loop, and a slow screen loses events (counted)
rather than holding up the call.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from agent_assist.events import Flag, Hint, VoiceCue
from asr.events import Transcript
from huifang.live.events import AgentEvent
from scripts_zh.dialogue_events import DialogueEvent

LiveEvent = Transcript | Hint | Flag | VoiceCue | DialogueEvent | AgentEvent


@dataclass
class _Subscriber:
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[LiveEvent]
    dropped: int = field(default=0)


class CallEventBus:
    """Live events by call id; publish is safe from any thread."""

    def __init__(self, queue_size: int = 256) -> None:
        self._queue_size = queue_size
        self._subscribers: dict[int, list[_Subscriber]] = {}
        self._lock = threading.Lock()
        self.dropped = 0

    def publish(self, call_id: int, event: LiveEvent) -> None:
        """Hand the event to every current subscriber of the call."""
        with self._lock:
            subscribers = list(self._subscribers.get(call_id, ()))
        for subscriber in subscribers:
            subscriber.loop.call_soon_threadsafe(self._offer, subscriber, event)

    def subscriber_count(self, call_id: int) -> int:
        """How many screens watch the call now."""
        with self._lock:
            return len(self._subscribers.get(call_id, ()))

    @asynccontextmanager
    async def subscribe(self, call_id: int) -> AsyncIterator[asyncio.Queue[LiveEvent]]:
        """A queue of the call's events from now on, until the block exits."""
        subscriber = _Subscriber(asyncio.get_running_loop(), asyncio.Queue(self._queue_size))
        with self._lock:
            self._subscribers.setdefault(call_id, []).append(subscriber)
        try:
            yield subscriber.queue
        finally:
            with self._lock:
                remaining = [s for s in self._subscribers.get(call_id, []) if s is not subscriber]
                if remaining:
                    self._subscribers[call_id] = remaining
                else:
                    self._subscribers.pop(call_id, None)

    def _offer(self, subscriber: _Subscriber, event: LiveEvent) -> None:
        try:
            subscriber.queue.put_nowait(event)
        except asyncio.QueueFull:
            subscriber.dropped += 1
            self.dropped += 1
