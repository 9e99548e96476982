"""A recording's loudness over time, one lane per leg, for the review workbench.

Call recordings are stereo WAVs, channel 0 the agent (or the robot), channel 1 the customer
(ivr.recorder); a mono file gives one lane. Each bucket's RMS level in dBFS is mapped from
[-60 dB, 0 dB] onto [0, 1], so quiet speech on a telephone line still shows.
"""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ivr.recorder import CHANNEL_OF

FLOOR_DB = -60.0
_CHUNK_FRAMES = 1 << 16  # read in pieces: a long call's recording is tens of megabytes


@dataclass(frozen=True)
class RecordingEnergy:
    """Per-leg levels in [0, 1] over equal buckets of the recording."""

    duration_ms: int
    legs: dict[str, list[float]]


class RecordingReadError(ValueError):
    """The recording is not a 16-bit PCM WAV this module can read."""


def recording_energy(path: Path, buckets: int) -> RecordingEnergy:
    """The recording's levels in `buckets` equal slices (fewer for a very short file)."""
    try:
        with wave.open(str(path), "rb") as wav:
            if wav.getsampwidth() != 2:
                raise RecordingReadError(f"{path.name}: {8 * wav.getsampwidth()}-bit audio")
            channels, rate, frames = wav.getnchannels(), wav.getframerate(), wav.getnframes()
            sums = _squared_sums(wav, channels, frames, max(1, min(buckets, frames)))
    except (wave.Error, EOFError) as err:
        raise RecordingReadError(f"{path.name}: {err}") from err
    names = _lane_names(channels)
    return RecordingEnergy(
        duration_ms=round(1000 * frames / rate) if rate else 0,
        legs={names[c]: _levels(sums[c], frames, len(sums[c])) for c in range(len(names))},
    )


def _squared_sums(wav: wave.Wave_read, channels: int, frames: int,
                  buckets: int) -> npt.NDArray[np.float64]:  # fmt: skip
    """Sum of squared samples per channel and bucket, read chunk by chunk."""
    sums = np.zeros((channels, buckets))
    done = 0
    while done < frames:
        chunk = np.frombuffer(wav.readframes(_CHUNK_FRAMES), dtype="<i2")
        if chunk.size == 0:
            break
        samples = chunk.reshape(-1, channels).astype(np.float64) / 32768.0
        bucket = (np.arange(done, done + len(samples)) * buckets) // frames
        for channel in range(channels):
            sums[channel] += np.bincount(bucket, samples[:, channel] ** 2, minlength=buckets)
        done += len(samples)
    return sums


def _levels(sums: npt.NDArray[np.float64], frames: int, buckets: int) -> list[float]:
    per_bucket = max(1.0, frames / buckets)
    rms = np.sqrt(sums / per_bucket)
    db = 20 * np.log10(np.maximum(rms, 1e-9))
    return [round(float(v), 3) for v in np.clip((db - FLOOR_DB) / -FLOOR_DB, 0.0, 1.0)]


def _lane_names(channels: int) -> list[str]:
    if channels == 1:
        return ["mix"]
    by_channel = {channel: str(leg) for leg, channel in CHANNEL_OF.items()}
    return [by_channel.get(c, f"channel{c}") for c in range(channels)]
