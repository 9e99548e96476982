"""The customer leg's audio → the recognition stream and a barge-in VAD, off pjsua2's thread."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from asr.codec import PIPELINE_RATE, StreamResampler
from asr.engines import Engine
from asr.events import Transcript
from asr.stream import AsyncRecognitionStream, StreamCounters
from asr.vad import VadConfig, VadEvent, VadSegmenter
from ivr.frame_queue import FrameQueue


class CustomerEar:
    """Feeds every customer frame to the recogniser and to a VAD that reports speech starts.

    The recogniser has a VAD of its own, but its speech start never leaves asr/; barge-in
    needs it at once, so a second segmenter (webrtcvad, microseconds a frame) runs here.
    """

    def __init__(self, engine: Engine, vad: VadConfig,
                 post: Callable[[Transcript | VadEvent], None]) -> None:
        self._stream = AsyncRecognitionStream(engine, "customer")
        self._vad = VadSegmenter(vad)
        self._post = post
        self._resampler: StreamResampler | None = None
        self.audio_ms = 0  # the customer leg's clock: end of the last frame heard

    @property
    def counters(self) -> StreamCounters:
        """What reached the recogniser and what overflowed its queue."""
        return self._stream.counters

    async def listen(self, frames: FrameQueue) -> None:
        """Until the leg ends: push audio, post VAD boundaries; then end the stream."""
        try:
            async for frame in frames:
                pcm = frame.samples()
                if frame.sample_rate != PIPELINE_RATE:
                    if self._resampler is None:
                        self._resampler = StreamResampler(frame.sample_rate, PIPELINE_RATE)
                    pcm = self._resampler.process(pcm)
                self.audio_ms = (frame.sample_offset + frame.sample_count) * 1000 // (
                    frame.sample_rate)
                self._stream.push(pcm)
                for event in self._vad.push(pcm):
                    self._post(dataclasses.replace(event, audio=None))  # the recording has it
        finally:
            self._stream.end()

    async def transcripts(self) -> None:
        """Post every final transcript until the stream has decoded its last audio."""
        async for result in self._stream.results():
            if result.is_final:
                self._post(result)
