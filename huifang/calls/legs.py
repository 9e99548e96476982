"""Stage 1, the legs: one leg's tapped audio → its own recognition stream → transcripts.

Off pjsua2's thread: the tap's frames arrive on the event loop, are resampled to the pipeline
rate and pushed into the leg's bounded recognition stream, whose worker decodes them. Every
kind of call listens to its legs through this one class.
"""

from __future__ import annotations

import asyncio
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

Post = Callable[[Transcript | VadEvent], None]
AudioSink = Callable[[Pcm16, int], None]
UTTERANCE_MARGIN_S = 0.15  # as the VAD pads what it decodes


class LegListener:
    """Feeds every frame of one leg to its recogniser and hands on what is decoded.

    `post` gets final transcripts (and, with `vad`, speech starts and ends: the recogniser's
    own VAD never leaves asr/, and barge-in needs the start at once, so a second segmenter —
    webrtcvad, microseconds a frame — runs here); `partial` gets partial transcripts (dropped
    without it); `on_audio` gets each frame at the leg's own rate (the voice checks); with
    `keep_s`, the last seconds of what the recogniser was given are kept (`utterance`: a
    second listen to an unclear answer).
    """

    def __init__(self, engine: Engine, leg: str, post: Post, *,
                 partial: Callable[[Transcript], None] | None = None,
                 vad: VadConfig | None = None, on_audio: AudioSink | None = None,
                 keep_s: float = 0.0) -> None:
        self.leg = leg
        self._stream = AsyncRecognitionStream(engine, leg)
        self._post = post
        self._partial = partial
        self._vad = VadSegmenter(vad) if vad is not None else None
        self._on_audio = on_audio
        self._resampler: StreamResampler | None = None
        self.audio_ms = 0  # the leg's clock: end of the last frame heard
        self._keep_samples = int(keep_s * PIPELINE_RATE)
        self._kept: deque[Pcm16] = deque()
        self._kept_from = 0  # recogniser sample of the first kept sample
        self._pushed = 0  # recogniser samples pushed so far

    @property
    def counters(self) -> StreamCounters:
        """What reached the recogniser and what overflowed its queue."""
        return self._stream.counters

    async def listen(self, frames: FrameQueue) -> None:
        """Until the leg ends: push audio (and post VAD boundaries); then end the stream."""
        try:
            async for frame in frames:
                samples = frame.samples()
                if self._on_audio is not None:
                    self._on_audio(samples, frame.sample_rate)
                pcm = samples
                if frame.sample_rate != PIPELINE_RATE:
                    if self._resampler is None:
                        self._resampler = StreamResampler(frame.sample_rate, PIPELINE_RATE)
                    pcm = self._resampler.process(pcm)
                self.audio_ms = (frame.sample_offset + frame.sample_count) * 1000 // (
                    frame.sample_rate)
                self._stream.push(pcm)
                self._keep(pcm)
                if self._vad is not None:
                    for event in self._vad.push(pcm):
                        self._post(dataclasses.replace(event, audio=None))  # recorded anyway
        finally:
            self._stream.end()

    def utterance(self, start_s: float, end_s: float) -> Pcm16 | None:
        """The recogniser's audio between two of its times (with the VAD's margins), or None
        when it is not kept (any more)."""
        first = max(0, int((start_s - UTTERANCE_MARGIN_S) * PIPELINE_RATE))
        last = min(self._pushed, int((end_s + UTTERANCE_MARGIN_S) * PIPELINE_RATE))
        if first < self._kept_from or last <= first:
            return None
        kept = np.concatenate(list(self._kept)) if self._kept else np.zeros(0, np.int16)
        return kept[first - self._kept_from : last - self._kept_from]

    def _keep(self, pcm: Pcm16) -> None:
        self._pushed += len(pcm)
        if not self._keep_samples:
            self._kept_from = self._pushed
            return
        self._kept.append(pcm)
        while self._kept and (self._pushed - self._kept_from - len(self._kept[0])
                              >= self._keep_samples):
            self._kept_from += len(self._kept.popleft())

    async def transcripts(self) -> None:
        """Hand on results as they are decoded, until the stream has decoded its last audio."""
        async for result in self._stream.results():
            if result.is_final:
                self._post(result)
            elif self._partial is not None:
                self._partial(result)

    async def run(self, frames: FrameQueue) -> None:
        """Listen and hand on transcripts until the leg has ended and everything is decoded."""
        await asyncio.gather(self.listen(frames), self.transcripts())
