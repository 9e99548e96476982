"""The event bus: a call's live events from the pipeline to every screen watching the call.

`EventBus` is the boundary: the pipeline publishes, the web's websocket subscribes, and
neither knows which bus it has. `InProcessEventBus` serves one process; a bus that crosses
nodes (PostgreSQL LISTEN/NOTIFY) implements the same two methods.

Publishing is safe from any thread and never blocks the call: each subscriber gets a bounded
queue on its own loop, and a slow screen loses events (counted) rather than holding up the
call. A screen opened mid-call (or handed a call) first gets the call's settled events so far
(partial transcripts are not kept), then the live ones.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict, deque
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Protocol

from asr.events import Transcript, TranscriptKind
from huifang.calls.events import CallEvent


class EventBus(Protocol):
    """Where a call's events go, and where a screen reads them."""

    def publish(self, call_id: int, event: CallEvent) -> None:
        """Hand the event on; never blocks, safe from any thread."""
        ...

    def subscribe(self, call_id: int) -> AbstractAsyncContextManager[asyncio.Queue[CallEvent]]:
        """A queue of the call's settled events so far, then the live ones, until exit."""
        ...


@dataclass
class _Subscriber:
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[CallEvent]
    dropped: int = field(default=0)


class InProcessEventBus:
    """Live events by call id, within one process."""

    def __init__(self, queue_size: int = 256, history_size: int = 200,
                 calls_kept: int = 100) -> None:
        self._queue_size = queue_size
        self._subscribers: dict[int, list[_Subscriber]] = {}
        self._history: OrderedDict[int, deque[CallEvent]] = OrderedDict()
        self._history_size = history_size
        self._calls_kept = calls_kept
        self._lock = threading.Lock()
        self.dropped = 0

    def publish(self, call_id: int, event: CallEvent) -> None:
        """Hand the event to every current subscriber of the call, and keep it for later ones."""
        with self._lock:
            subscribers = list(self._subscribers.get(call_id, ()))
            self._keep(call_id, event)
        for subscriber in subscribers:
            subscriber.loop.call_soon_threadsafe(self._offer, subscriber, event)

    def subscriber_count(self, call_id: int) -> int:
        """How many screens watch the call now."""
        with self._lock:
            return len(self._subscribers.get(call_id, ()))

    @asynccontextmanager
    async def subscribe(self, call_id: int) -> AsyncIterator[asyncio.Queue[CallEvent]]:
        """A queue of the call's events from now on, until the block exits."""
        subscriber = _Subscriber(asyncio.get_running_loop(), asyncio.Queue(self._queue_size))
        with self._lock:
            self._subscribers.setdefault(call_id, []).append(subscriber)
            earlier = list(self._history.get(call_id, ()))
        for event in earlier:  # queued before any publish's hand-over can run on this loop
            self._offer(subscriber, event)
        try:
            yield subscriber.queue
        finally:
            with self._lock:
                remaining = [s for s in self._subscribers.get(call_id, []) if s is not subscriber]
                if remaining:
                    self._subscribers[call_id] = remaining
                else:
                    self._subscribers.pop(call_id, None)

    def _keep(self, call_id: int, event: CallEvent) -> None:
        """Remember a settled event of the call (under the lock); the oldest calls are dropped."""
        if isinstance(event, Transcript) and event.kind is TranscriptKind.PARTIAL:
            return
        history = self._history.get(call_id)
        if history is None:
            history = self._history[call_id] = deque(maxlen=self._history_size)
            while len(self._history) > self._calls_kept:
                self._history.popitem(last=False)
        history.append(event)

    def _offer(self, subscriber: _Subscriber, event: CallEvent) -> None:
        try:
            subscriber.queue.put_nowait(event)
        except asyncio.QueueFull:
            subscriber.dropped += 1
            self.dropped += 1
