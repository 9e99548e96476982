"""Stereo call recordings (channel 0 agent/system, channel 1 customer) by a writer thread."""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ivr.events import AudioFrame, Leg
from ivr.wav_stream import GrowingWav
from zhtext.private_files import private_dir

log = logging.getLogger(__name__)

CHANNEL_OF = {Leg.AGENT: 0, Leg.CUSTOMER: 1}
_SENTINEL = None


@dataclass(frozen=True)
class RecorderCounters:
    """Frames the recorder took, dropped because its queue was full, or got too late."""

    accepted: int
    dropped: int
    late: int


class _LegBuffer:
    """Samples of one leg not yet written, starting at the file's write position."""

    def __init__(self) -> None:
        self.pcm = bytearray()

    def place(self, frame: AudioFrame, written: int) -> bool:
        """Put a frame at its sample offset, filling gaps with silence; False when too late."""
        start = frame.sample_offset - written
        if start < 0:
            return False
        have = len(self.pcm) // 2
        if start > have:
            self.pcm.extend(bytes(2 * (start - have)))  # frames dropped upstream → silence
        at = 2 * start
        self.pcm[at:at + len(frame.pcm)] = frame.pcm
        return True

    def take(self, n: int) -> bytes:
        head = bytes(self.pcm[:2 * n])
        del self.pcm[:2 * n]
        return head.ljust(2 * n, b"\0")


class CallRecorder:
    """Writes both legs of one call to a stereo WAV; `offer` is safe from pj's media thread."""

    def __init__(self, path: Path, sample_rate: int, max_queue: int = 3000,
                 max_skew_s: float = 2.0) -> None:
        self.path = path
        self.sample_rate = sample_rate
        self._queue: queue.Queue[AudioFrame | None] = queue.Queue(max_queue)
        self._max_skew = int(max_skew_s * sample_rate)
        self._dropped = 0
        self._accepted = 0
        self._late = 0
        private_dir(path.parent)
        self._wav = GrowingWav(path, channels=2, sample_rate=sample_rate)
        self._buffers = {leg: _LegBuffer() for leg in Leg}
        self._thread = threading.Thread(target=self._run, name=f"recorder {path.name}",
                                        daemon=True)
        self._thread.start()

    def offer(self, frame: AudioFrame) -> None:
        """Queue a frame without blocking; a full queue drops and counts it."""
        try:
            self._queue.put_nowait(frame)
            self._accepted += 1
        except queue.Full:
            self._dropped += 1

    def close(self, timeout: float = 5.0) -> None:
        """Write what is queued, pad the shorter leg and close the file."""
        if not self._thread.is_alive():
            return
        self._queue.put(_SENTINEL, timeout=timeout)
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.error("recorder for %s did not finish in %.1f s", self.path, timeout)

    @property
    def counters(self) -> RecorderCounters:
        """A snapshot of the counters."""
        return RecorderCounters(self._accepted, self._dropped, self._late)

    def _run(self) -> None:
        try:
            while (frame := self._queue.get()) is not _SENTINEL:
                self._place(frame)
                self._write(self._ready_samples())
            self._write(max(len(b.pcm) // 2 for b in self._buffers.values()))
        finally:
            self._wav.close()

    def _place(self, frame: AudioFrame) -> None:
        if not self._buffers[frame.leg].place(frame, self._wav.frames_written):
            self._late += 1

    def _ready_samples(self) -> int:
        """Samples both legs have; a leg lagging by more than the skew limit becomes silence."""
        lengths = [len(b.pcm) // 2 for b in self._buffers.values()]
        longest = max(lengths)
        return max(min(lengths), longest - self._max_skew)

    def _write(self, n: int) -> None:
        if n <= 0:
            return
        stereo = np.empty((n, 2), dtype="<i2")
        for leg, channel in CHANNEL_OF.items():
            stereo[:, channel] = np.frombuffer(self._buffers[leg].take(n), dtype="<i2")
        self._wav.append(stereo.tobytes())
