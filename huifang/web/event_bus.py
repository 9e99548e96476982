"""In-process publish/subscribe of one call's live events, for the agent screen's websocket.

The callback and live pipelines publish from their own threads or the event loop; each
subscriber gets a bounded queue on its own loop, and a slow screen loses events (counted)
rather than holding up the call. A screen opened mid-call (or handed a call) first gets the
call's settled events so far (partial transcripts are not kept), then the live ones.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict, deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from agent_assist.events import Flag, Hint, VoiceCue
from asr.events import Transcript, TranscriptKind
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

    def __init__(self, queue_size: int = 256, history_size: int = 200,
                 calls_kept: int = 100) -> None:
        self._queue_size = queue_size
        self._subscribers: dict[int, list[_Subscriber]] = {}
        self._history: OrderedDict[int, deque[LiveEvent]] = OrderedDict()
        self._history_size = history_size
        self._calls_kept = calls_kept
        self._lock = threading.Lock()
        self.dropped = 0

    def publish(self, call_id: int, event: LiveEvent) -> None:
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
    async def subscribe(self, call_id: int) -> AsyncIterator[asyncio.Queue[LiveEvent]]:
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

    def _keep(self, call_id: int, event: LiveEvent) -> None:
        """Remember a settled event of the call (under the lock); the oldest calls are dropped."""
        if isinstance(event, Transcript) and event.kind is TranscriptKind.PARTIAL:
            return
        history = self._history.get(call_id)
        if history is None:
            history = self._history[call_id] = deque(maxlen=self._history_size)
            while len(self._history) > self._calls_kept:
                self._history.popitem(last=False)
        history.append(event)

    def _offer(self, subscriber: _Subscriber, event: LiveEvent) -> None:
        try:
            subscriber.queue.put_nowait(event)
        except asyncio.QueueFull:
            subscriber.dropped += 1
            self.dropped += 1
