"""Reading and resampling call audio: libsndfile and libsoxr beside the alternatives.

Three measurements, each the best of five runs on a 10-minute stereo call (noise, so no codec
shortcut applies):

- reading: `asr.wavfile.read_audio` (libsndfile) on PCM16 and G.711 mu-law WAV, beside the
  floor of any reader (numpy viewing the PCM16 bytes);
- whole-signal resampling 8 → 16 kHz and 44.1 → 16 kHz: `asr.codec.resample` (libsoxr HQ)
  beside scipy's polyphase `resample_poly` (what it replaced);
- streaming 8 → 16 kHz in 20 ms RTP chunks: `asr.codec.StreamResampler` beside
  `soxr.ResampleStream` — CPU per minute of audio, and how long before the first sample
  comes out (what a live leg's VAD waits).

    .venv/bin/python bench/audio_io.py
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import soxr
from scipy import signal

from asr import codec
from asr.wavfile import read_audio, write_wav

SECONDS = 600
CHUNK = 160  # 20 ms at 8 kHz


def best(run: Callable[[], Any], times: int = 5) -> float:
    """The shortest of several wall-clock runs, in seconds."""
    fastest = float("inf")
    for _ in range(times):
        began = time.perf_counter()
        run()
        fastest = min(fastest, time.perf_counter() - began)
    return fastest


def reading(folder: Path) -> None:
    """read_audio on PCM16 and mu-law stereo files, and the numpy floor."""
    rng = np.random.default_rng(0)
    call = rng.normal(0, 3000, (SECONDS * 8000, 2)).astype(np.int16)
    for encoding in ("pcm16", "mulaw"):
        path = folder / f"call_{encoding}.wav"
        write_wav(path, call, 8000, encoding)
        took = best(partial(read_audio, path))
        print(f"read {SECONDS // 60} min stereo 8 kHz {encoding:6}: read_audio"
              f" {took * 1000:7.1f} ms")
    path = folder / "call_pcm16.wav"
    floor = best(lambda: np.fromfile(path, dtype="<i2", offset=44).reshape(-1, 2))
    print(f"read {SECONDS // 60} min stereo 8 kHz pcm16 : numpy floor {floor * 1000:7.1f} ms")


def resampling() -> None:
    """libsoxr HQ against scipy's polyphase filter on whole signals."""
    rng = np.random.default_rng(1)
    for rate in (8000, 44100):
        mono = rng.normal(0, 3000, SECONDS * rate // (10 if rate > 16000 else 1))
        pcm = mono.astype(np.int16)
        g = int(np.gcd(rate, 16000))
        scipy_s = best(partial(signal.resample_poly, pcm.astype(np.float64), 16000 // g,
                               rate // g))
        soxr_s = best(partial(codec.resample, pcm, rate, 16000))
        minutes = len(pcm) / rate / 60
        print(f"resample {minutes:4.1f} min {rate} → 16000: scipy {scipy_s * 1000:7.1f} ms,"
              f" soxr HQ {soxr_s * 1000:7.1f} ms")


def streaming() -> None:
    """The live leg's resampler against libsoxr's stream: CPU, and the first output."""
    chunks = [np.random.default_rng(2).normal(0, 3000, CHUNK).astype(np.int16)
              for _ in range(60 * 50)]

    def ours() -> list[codec.Pcm16]:
        resampler = codec.StreamResampler(8000)
        return [resampler.process(c) for c in chunks]

    def theirs(quality: str) -> list[Any]:
        stream = soxr.ResampleStream(8000, 16000, 1, dtype="int16", quality=quality)
        return [stream.resample_chunk(c) for c in chunks]

    rows: list[tuple[str, Callable[[], list[Any]]]] = [
        ("StreamResampler", ours),
        ("soxr stream HQ", lambda: theirs("HQ")),
        ("soxr stream QQ", lambda: theirs("QQ")),
    ]
    for name, run in rows:
        outputs = run()
        first = next(i for i, out in enumerate(outputs) if len(out))
        sizes = sorted({len(out) for out in outputs[first:]})
        print(f"stream 1 min 8 → 16 kHz, 20 ms chunks: {name:16} {best(run) * 1000:7.1f} ms CPU,"
              f" first output after {first * 20 + 20} ms, chunk sizes {sizes[:3]}…{sizes[-1]}")


def main() -> None:
    """Print the three measurements with the machine and its load."""
    print(f"# {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}, {time.strftime('%Y-%m-%d')}")
    with tempfile.TemporaryDirectory() as folder:
        reading(Path(folder))
    resampling()
    streaming()


if __name__ == "__main__":
    main()
