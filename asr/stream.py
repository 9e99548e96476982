"""A recognition stream: one leg's recogniser driven from its own worker thread.

Audio producers (the SIP media thread, a file reader) never block: `push` drops into a
bounded queue and counts what overflowed. Results come back through a callback, a blocking
iterator, or an asyncio iterator; the event loop never runs a decode.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass

import numpy as np

from asr.codec import Pcm16
from asr.engines.base import Engine, Recognizer
from asr.errors import AsrError, StreamClosedError
from asr.events import Transcript

_END = object()


@dataclass
class StreamCounters:
    """What flowed through a stream; overflow is data lost, so it is counted, not hidden."""

    chunks_in: int = 0
    samples_in: int = 0
    chunks_dropped: int = 0
    samples_dropped: int = 0
    results: int = 0


class RecognitionStream:
    """Push 16 kHz PCM16, end the input, receive partial and final transcripts.

    `recognizer`, if given, is used instead of a new one of the engine's (a file's).
    """

    def __init__(self, engine: Engine, leg: str | None = None,
                 on_result: Callable[[Transcript], None] | None = None,
                 max_pending_chunks: int = 1000, recognizer: Recognizer | None = None
                 ) -> None:
        self.leg = leg
        self.counters = StreamCounters()
        self._recognizer = recognizer or engine.new_recognizer(leg)
        self._audio: queue.Queue[object] = queue.Queue(maxsize=max_pending_chunks)
        self._results: queue.Queue[object] = queue.Queue()
        self._on_result = on_result
        self._ended = False
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"asr-{leg or 'stream'}",
                                        daemon=True)
        self._thread.start()

    @property
    def recognizer(self) -> Recognizer:
        """The leg's recogniser (driven by the worker: read its counters, don't call it)."""
        return self._recognizer

    def push(self, pcm: Pcm16) -> bool:
        """Queue samples without blocking; False (and counted) when the queue is full."""
        if self._ended:
            raise StreamClosedError(f"stream {self.leg!r}: audio pushed after end()")
        samples = np.asarray(pcm, dtype=np.int16)
        try:
            self._audio.put_nowait(samples)
        except queue.Full:
            self.counters.chunks_dropped += 1
            self.counters.samples_dropped += len(samples)
            return False
        self.counters.chunks_in += 1
        self.counters.samples_in += len(samples)
        return True

    def end(self) -> None:
        """No more audio: the worker decodes what is left, then the results end."""
        if not self._ended:
            self._ended = True
            self._audio.put(_END)  # blocks only until the worker takes a chunk

    def results(self, timeout: float | None = None) -> Iterator[Transcript]:
        """Block for results until the stream has ended and everything is decoded."""
        while True:
            item = self._results.get(timeout=timeout)
            if item is _END:
                self._results.put(_END)  # later iterations end at once too
                if self.error is not None:
                    raise AsrError(f"stream {self.leg!r} failed: {self.error}") from self.error
                return
            assert isinstance(item, Transcript)
            yield item

    def join(self, timeout: float | None = None) -> None:
        """Wait for the worker to finish."""
        self._thread.join(timeout)

    def _run(self) -> None:
        try:
            while (item := self._audio.get()) is not _END:
                assert isinstance(item, np.ndarray)
                self._emit(self._recognizer.accept(item))
            self._emit(self._recognizer.finish())
        except Exception as err:  # reported to the reader, never lost on a dead thread
            self.error = err
        finally:
            self._results.put(_END)

    def _emit(self, results: list[Transcript]) -> None:
        for result in results:
            self.counters.results += 1
            if self._on_result is not None:
                self._on_result(result)
            self._results.put(result)


class AsyncRecognitionStream:
    """The same stream for asyncio code: results arrive on the loop, decodes stay off it."""

    def __init__(self, engine: Engine, leg: str | None = None,
                 max_pending_chunks: int = 1000) -> None:
        self._loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue[Transcript | None] = asyncio.Queue()
        self._stream = RecognitionStream(engine, leg, self._deliver, max_pending_chunks)
        self._watcher = self._loop.run_in_executor(None, self._wait_end)

    @property
    def counters(self) -> StreamCounters:
        """Counters of the underlying stream."""
        return self._stream.counters

    def push(self, pcm: Pcm16) -> bool:
        """Queue samples without blocking the loop."""
        return self._stream.push(pcm)

    def end(self) -> None:
        """No more audio."""
        self._stream.end()

    async def results(self) -> AsyncIterator[Transcript]:
        """Results as they are decoded, until the stream has ended."""
        while (item := await self._queue.get()) is not None:
            yield item
        await self._watcher
        if self._stream.error is not None:
            raise AsrError(f"stream failed: {self._stream.error}") from self._stream.error

    def _deliver(self, result: Transcript) -> None:
        self._loop.call_soon_threadsafe(self._queue.put_nowait, result)

    def _wait_end(self) -> None:
        self._stream.join()
        self._loop.call_soon_threadsafe(self._queue.put_nowait, None)
