"""One leg of a live call: tapped frames → a recognition stream → transcripts, off pj's thread."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from asr.codec import PIPELINE_RATE, StreamResampler
from asr.engines import Engine
from asr.events import Transcript
from asr.stream import AsyncRecognitionStream, StreamCounters
from ivr.frame_queue import FrameQueue


class LegListener:
    """Feeds one leg's audio to its own recogniser and hands on every partial and final."""

    def __init__(self, engine: Engine, leg: str,
                 on_transcript: Callable[[Transcript], None]) -> None:
        self.leg = leg
        self._stream = AsyncRecognitionStream(engine, leg)
        self._on_transcript = on_transcript
        self._resampler: StreamResampler | None = None

    @property
    def counters(self) -> StreamCounters:
        """What reached the recogniser and what overflowed its queue."""
        return self._stream.counters

    async def listen(self, frames: FrameQueue) -> None:
        """Push the leg's audio until the leg ends, then end the stream."""
        try:
            async for frame in frames:
                pcm = frame.samples()
                if frame.sample_rate != PIPELINE_RATE:
                    if self._resampler is None:
                        self._resampler = StreamResampler(frame.sample_rate, PIPELINE_RATE)
                    pcm = self._resampler.process(pcm)
                self._stream.push(pcm)
        finally:
            self._stream.end()

    async def transcripts(self) -> None:
        """Hand on results as they are decoded, until the stream has decoded its last audio."""
        async for result in self._stream.results():
            self._on_transcript(result)

    async def run(self, frames: FrameQueue) -> None:
        """Listen and hand on transcripts until the leg has ended and everything is decoded."""
        await asyncio.gather(self.listen(frames), self.transcripts())
