"""A bounded queue of audio frames from pjsua2's media thread to an asyncio consumer."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from dataclasses import dataclass

from ivr.events import AudioFrame


@dataclass(frozen=True)
class QueueCounters:
    """What a frame queue has seen: delivered, dropped because full, waiting."""

    offered: int
    dropped: int
    pending: int


class FrameQueue:
    """Frames for one consumer; `offer` never blocks, overflow is dropped and counted."""

    def __init__(self, loop: asyncio.AbstractEventLoop, maxsize: int) -> None:
        self._loop = loop
        self._maxsize = maxsize
        self._queue: asyncio.Queue[AudioFrame | None] = asyncio.Queue()
        self._lock = threading.Lock()  # offer runs on pj's media thread, get on the loop
        self._pending = 0
        self._offered = 0
        self._dropped = 0
        self._closed = False

    def offer(self, frame: AudioFrame) -> None:
        """Queue a frame from any thread; drop it when the consumer lags `maxsize` frames."""
        with self._lock:
            self._offered += 1
            if self._closed or self._pending >= self._maxsize:
                self._dropped += 1
                return
            self._pending += 1
        self._post(frame)

    def close(self) -> None:
        """End of audio: the consumer's iteration stops after the queued frames."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._post(None)

    def _post(self, item: AudioFrame | None) -> None:
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody listens any more
            self._loop.call_soon_threadsafe(self._queue.put_nowait, item)

    async def get(self) -> AudioFrame | None:
        """The next frame, or None once the leg has ended."""
        item = await self._queue.get()
        if item is None:
            self._queue.put_nowait(None)  # later get() calls see the end too
            return None
        with self._lock:
            self._pending -= 1
        return item

    def __aiter__(self) -> FrameQueue:
        return self

    async def __anext__(self) -> AudioFrame:
        frame = await self.get()
        if frame is None:
            raise StopAsyncIteration
        return frame

    @property
    def counters(self) -> QueueCounters:
        """A snapshot of the counters."""
        with self._lock:
            return QueueCounters(self._offered, self._dropped, self._pending)
