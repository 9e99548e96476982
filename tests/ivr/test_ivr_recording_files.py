"""Growing WAVs, their repair after a crash, and the stereo recorder's alignment."""

from __future__ import annotations

import asyncio
import threading
import wave
from pathlib import Path

import numpy as np

from ivr.events import AudioFrame, Leg
from ivr.frame_queue import FrameQueue
from ivr.recorder import CallRecorder
from ivr.wav_stream import GrowingWav, recover_recordings, repair_wav

RATE = 16000


def frame(leg: Leg, offset: int, value: int, n: int = 320) -> AudioFrame:
    """A constant-valued frame."""
    return AudioFrame("c1", leg, np.full(n, value, dtype="<i2").tobytes(), RATE, offset)


def test_growing_wav_is_readable_before_close(tmp_path: Path) -> None:
    """The header is patched as the file grows: a reader sees the audio mid-call."""
    wav = GrowingWav(tmp_path / "g.wav", channels=2, sample_rate=RATE, patch_every_s=0.1)
    wav.append(bytes(4 * RATE // 2))  # 0.5 s
    with wave.open(str(tmp_path / "g.wav")) as r:
        assert r.getnframes() >= RATE * 0.4
    wav.close()
    with wave.open(str(tmp_path / "g.wav")) as r:
        assert r.getnframes() == RATE // 2


def test_a_wav_cut_off_before_its_first_patch_is_a_wav(tmp_path: Path) -> None:
    """Killed before a second of audio (a call just answered): the file on disk is a WAV
    (repaired to what reached it), never an empty file that no player opens."""
    path = tmp_path / "early.wav"
    wav = GrowingWav(path, channels=2, sample_rate=RATE, patch_every_s=1.0)
    wav.append(bytes(4 * 100))  # still in the writer's buffer: the process dies here
    assert recover_recordings(tmp_path) == []  # nothing to repair: the header is there
    with wave.open(str(path)) as r:
        assert (r.getnframes(), r.getnchannels(), r.getframerate()) == (0, 2, RATE)
    wav.close()


def test_repair_sets_sizes_from_the_file_length(tmp_path: Path) -> None:
    """A file cut mid-write (stale header, half a frame at the end) is made exact."""
    path = tmp_path / "cut.wav"
    wav = GrowingWav(path, channels=2, sample_rate=RATE, patch_every_s=10)
    wav.append(bytes(4 * 1000))
    wav._file.flush()  # the process dies here: header still says 0 frames
    with open(path, "ab") as f:
        f.write(b"\x01\x02\x03")  # a frame cut in half
    assert recover_recordings(tmp_path) == [path]
    with wave.open(str(path)) as r:
        assert (r.getnframes(), r.getnchannels()) == (1000, 2)
    assert repair_wav(path) is False  # already right
    wav._file.close()


def test_recorder_aligns_legs_by_sample_offset(tmp_path: Path) -> None:
    """Frames land at their offsets; a dropped frame becomes silence, not a shift."""
    path = tmp_path / "rec.wav"
    recorder = CallRecorder(path, RATE)
    for i in range(5):
        recorder.offer(frame(Leg.AGENT, 320 * i, 100 + i))
        if i != 2:  # the customer's third frame was lost upstream
            recorder.offer(frame(Leg.CUSTOMER, 320 * i, -(100 + i)))
    recorder.close()
    with wave.open(str(path)) as r:
        stereo = np.frombuffer(r.readframes(r.getnframes()), dtype="<i2").reshape(-1, 2)
    assert stereo.shape == (1600, 2)
    assert list(stereo[::320, 0]) == [100, 101, 102, 103, 104]
    assert list(stereo[::320, 1]) == [-100, -101, 0, -103, -104]
    assert recorder.counters.dropped == 0


def test_recorder_counts_overflow_without_blocking(tmp_path: Path) -> None:
    """A full queue drops (and counts) instead of blocking pj's media thread."""
    recorder = CallRecorder(tmp_path / "o.wav", RATE, max_queue=5)
    disk_is_slow = threading.Event()
    place = recorder._place

    def slow_place(f: AudioFrame) -> None:
        disk_is_slow.wait(5)
        place(f)

    recorder._place = slow_place  # type: ignore[method-assign, assignment]
    for i in range(100):
        recorder.offer(frame(Leg.AGENT, 320 * i, 1))
    disk_is_slow.set()
    recorder.close()
    counters = recorder.counters
    assert counters.accepted + counters.dropped == 100
    assert 5 <= counters.accepted <= 6  # the queue's 5, plus the one the writer holds


def test_frame_queue_is_bounded_and_counts_drops() -> None:
    """Offered from a foreign thread faster than consumed: the excess is dropped and counted."""
    async def scenario() -> tuple[int, int, int]:
        frames = FrameQueue(asyncio.get_running_loop(), maxsize=10)

        def produce() -> None:
            for i in range(50):
                frames.offer(frame(Leg.CUSTOMER, 320 * i, 1))

        producer = threading.Thread(target=produce)
        producer.start()
        producer.join()
        frames.close()
        got = [f async for f in frames]
        counters = frames.counters
        return len(got), counters.dropped, counters.offered

    got, dropped, offered = asyncio.run(scenario())
    assert (got, dropped, offered) == (10, 40, 50)
