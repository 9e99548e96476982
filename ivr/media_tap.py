"""Conference-bridge ports that copy one leg's audio out of pjsua2 as AudioFrames.

pjsua2 2.15 cannot free an AudioMediaPort safely while the bridge runs: its destructor
queues the port's removal for the next clock tick and frees the port at once, so the clock
thread may still call into freed memory (seen as "'LegTap' object has no attribute
'call_id'", then SIGSEGV or SIGABRT). So taps are never freed while the endpoint lives:
a TapPool lends them to calls and takes them back, and after libDestroy they are handed to
pjsua2 for good.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from typing import Any, Protocol

import pjsua2 as pj

from ivr.events import AudioFrame, Leg
from ivr.pj_bytes import vector_bytes
from ivr.pj_owned import PjObjects, PjOwned

log = logging.getLogger(__name__)

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


@dataclass
class TapBinding:
    """Which call and leg a tap serves now; replaced whole so the clock thread sees one."""

    call_id: str
    leg: Leg
    sinks: tuple[FrameSink, ...] = ()
    offset: int = 0  # samples delivered so far; only the clock thread moves it
    errors: int = 0  # sink failures, logged once


class LegTap(PjOwned, pj.AudioMediaPort):  # type: ignore[misc]  # pjsua2 is untyped
    """Receives whatever the bridge sends it; runs on pjmedia's clock thread."""

    def __init__(self, name: str, clock_rate: int, objects: PjObjects) -> None:
        super().__init__()
        objects.adopt(self, destroy_at_shutdown=False)
        self.clock_rate = clock_rate
        self.binding: TapBinding | None = None
        self._silence = bytes(2 * clock_rate * FRAME_USEC // 1_000_000)
        self.createPort(name, pcm16_format(clock_rate))

    @property
    def call_id(self) -> str | None:
        """The call served now, if any."""
        binding = self.binding
        return binding.call_id if binding else None

    def add_sink(self, sink: FrameSink) -> None:
        """Also deliver frames to `sink` (pj thread)."""
        binding = self.binding
        if binding is not None:
            binding.sinks = (*binding.sinks, sink)  # one assignment: never half-updated

    def onFrameReceived(self, frame: Any) -> None:  # noqa: N802 - pjsua2's name
        """Copy the bytes, hand them to the sinks, return: this is pjmedia's clock thread."""
        binding = self.binding
        if binding is None:
            return  # in the pool between calls
        try:
            self._deliver(binding, frame)
        except Exception:  # an exception must never travel back into pjmedia's C code
            binding.errors += 1
            if binding.errors == 1:
                log.error("tap %s/%s: frame lost:\n%s", binding.call_id, binding.leg,
                          traceback.format_exc())

    def _deliver(self, binding: TapBinding, frame: Any) -> None:
        # An empty frame means nothing transmits to this port now: count it as silence so
        # both legs stay aligned on the same sample clock.
        audio = frame.type == pj.PJMEDIA_FRAME_TYPE_AUDIO
        pcm = vector_bytes(frame.buf) if audio else self._silence
        event = AudioFrame(binding.call_id, binding.leg, pcm, self.clock_rate, binding.offset)
        binding.offset += len(pcm) // 2
        for sink in binding.sinks:
            sink.offer(event)

    def onFrameRequested(self, frame: Any) -> None:  # noqa: N802 - pjsua2's name
        """Nothing to send: a tap only listens."""
        frame.type = pj.PJMEDIA_FRAME_TYPE_NONE


class TapPool:
    """Lends taps to calls and takes them back; pj thread only."""

    def __init__(self, clock_rate: int, objects: PjObjects) -> None:
        self.clock_rate = clock_rate
        self._objects = objects
        self._free: list[LegTap] = []
        self._all: list[LegTap] = []

    @property
    def size(self) -> int:
        """Taps created so far (lent or free)."""
        return len(self._all)

    def lend(self, call_id: str, leg: Leg) -> LegTap:
        """A tap bound to this call's leg, reused when one is free."""
        if self._free:
            tap = self._free.pop()
        else:
            tap = LegTap(f"tap{len(self._all)}", self.clock_rate, self._objects)
            self._all.append(tap)
        tap.binding = TapBinding(call_id, leg)
        return tap

    def take_back(self, tap: LegTap) -> None:
        """Unbind the tap; the caller has stopped every port that transmitted to it."""
        tap.binding = None
        if tap not in self._free:
            self._free.append(tap)

    def abandon(self) -> None:
        """After libDestroy: give every tap to pjsua2 so Python never runs its destructor."""
        for tap in self._all:
            tap.binding = None
            tap.__disown__()
        self._all.clear()
        self._free.clear()

