"""A conference-bridge port that copies one leg's audio out of pjsua2 as AudioFrames."""

from __future__ import annotations

from typing import Any, Protocol

import pjsua2 as pj

from ivr.events import AudioFrame, Leg
from ivr.pj_bytes import vector_bytes

FRAME_USEC = 20_000


class FrameSink(Protocol):
    """Anything that takes frames without blocking: a FrameQueue, a CallRecorder."""

    def offer(self, frame: AudioFrame) -> None:
        """Take the frame or drop (and count) it; never block."""


def pcm16_format(clock_rate: int) -> Any:
    """The pjmedia format of a 20 ms mono PCM16 port at `clock_rate`."""
    fmt = pj.MediaFormatAudio()
    fmt.type = pj.PJMEDIA_TYPE_AUDIO
    fmt.clockRate = clock_rate
    fmt.channelCount = 1
    fmt.bitsPerSample = 16
    fmt.frameTimeUsec = FRAME_USEC
    return fmt


class LegTap(pj.AudioMediaPort):  # type: ignore[misc]  # pjsua2 is untyped
    """Receives whatever the bridge sends it; runs on pjmedia's clock thread."""

    def __init__(self, call_id: str, leg: Leg, clock_rate: int) -> None:
        super().__init__()
        self.call_id = call_id
        self.leg = leg
        self.clock_rate = clock_rate
        self.sinks: tuple[FrameSink, ...] = ()  # replaced whole, so the clock thread never
        self._offset = 0  # sees a half-updated tuple
        self._silence = bytes(2 * clock_rate * FRAME_USEC // 1_000_000)
        self.createPort(f"{leg}-{call_id}", pcm16_format(clock_rate))

    def add_sink(self, sink: FrameSink) -> None:
        """Also deliver frames to `sink`."""
        self.sinks = (*self.sinks, sink)

    def onFrameReceived(self, frame: Any) -> None:  # noqa: N802 - pjsua2's name
        """Copy the bytes, hand them to the sinks, return: this is pjmedia's clock thread."""
        # An empty frame means nothing transmits to this port now: count it as silence so
        # both legs stay aligned on the same sample clock.
        audio = frame.type == pj.PJMEDIA_FRAME_TYPE_AUDIO
        pcm = vector_bytes(frame.buf) if audio else self._silence
        event = AudioFrame(self.call_id, self.leg, pcm, self.clock_rate, self._offset)
        self._offset += len(pcm) // 2
        for sink in self.sinks:
            sink.offer(event)

    def onFrameRequested(self, frame: Any) -> None:  # noqa: N802 - pjsua2's name
        """Nothing to send: a tap only listens."""
        frame.type = pj.PJMEDIA_FRAME_TYPE_NONE
