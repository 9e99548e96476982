"""The customer leg's audio → the recognition stream and a barge-in VAD, off pjsua2's thread."""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Callable

import numpy as np

from asr.codec import PIPELINE_RATE, Pcm16, StreamResampler
from asr.engines import Engine
from asr.events import Transcript
from asr.stream import AsyncRecognitionStream, StreamCounters
from asr.vad import VadConfig, VadEvent, VadSegmenter
from ivr.frame_queue import FrameQueue

KEEP_SAMPLES = 30 * PIPELINE_RATE  # longer than any answer the dialogue listens to again
UTTERANCE_MARGIN_S = 0.15  # as the VAD pads what it decodes


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
        # The last KEEP_S of what the recogniser was given, for a second listen to an answer.
        self._kept: deque[Pcm16] = deque()
        self._kept_from = 0  # recogniser sample of the first kept sample
        self._pushed = 0  # recogniser samples pushed so far

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
                self._keep(pcm)
                for event in self._vad.push(pcm):
                    self._post(dataclasses.replace(event, audio=None))  # the recording has it
        finally:
            self._stream.end()

    def utterance(self, start_s: float, end_s: float) -> Pcm16 | None:
        """The recogniser's audio between two of its times (with the VAD's margins), or None
        when it is no longer kept."""
        first = max(0, int((start_s - UTTERANCE_MARGIN_S) * PIPELINE_RATE))
        last = min(self._pushed, int((end_s + UTTERANCE_MARGIN_S) * PIPELINE_RATE))
        if first < self._kept_from or last <= first:
            return None
        kept = np.concatenate(list(self._kept)) if self._kept else np.zeros(0, np.int16)
        return kept[first - self._kept_from : last - self._kept_from]

    def _keep(self, pcm: Pcm16) -> None:
        self._kept.append(pcm)
        self._pushed += len(pcm)
        while self._kept and self._pushed - self._kept_from - len(self._kept[0]) >= KEEP_SAMPLES:
            self._kept_from += len(self._kept.popleft())

    async def transcripts(self) -> None:
        """Post every final transcript until the stream has decoded its last audio."""
        async for result in self._stream.results():
            if result.is_final:
                self._post(result)
