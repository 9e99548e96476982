"""Read call audio files — WAV of any common format, raw PCM16 and G.711 — with clear errors.

libsndfile (soundfile) decodes; this module adds what a call centre needs around it: raw
telephone files by their extension, one line per bad file naming it and the problem, the
length limit checked before reading, float samples clipped rather than wrapped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

from asr import codec
from asr.errors import AudioInputError

# Raw files carry no header: their encoding (libsndfile's subtype) comes from the extension,
# at telephone rate.
RAW_ENCODINGS = {".ul": "ULAW", ".ulaw": "ULAW", ".mulaw": "ULAW", ".al": "ALAW",
                 ".alaw": "ALAW", ".pcm": "PCM_16", ".raw": "PCM_16", ".sln": "PCM_16"}
RAW_RATE = 8000
# libsndfile notes a data chunk longer than the file ("data : 1600 (should be 500)") and reads
# what is there; a recording cut short is refused instead, saying so.
_TRUNCATED = re.compile(r"data : (\d+) \(should be (\d+)\)")
WRITE_SUBTYPES = {"pcm16": "PCM_16", "mulaw": "ULAW", "alaw": "ALAW"}


@dataclass(frozen=True)
class AudioClip:
    """Decoded audio: int16 samples shaped (frames, channels) at `sample_rate`."""

    samples: codec.Pcm16
    sample_rate: int

    @property
    def channels(self) -> int:
        """Number of channels (legs in a stereo call recording)."""
        return int(self.samples.shape[1])

    @property
    def duration_s(self) -> float:
        """Length in seconds."""
        return float(self.samples.shape[0]) / self.sample_rate

    def mono16k(self) -> codec.Pcm16:
        """All channels mixed, at the pipeline's 16 kHz."""
        return codec.resample(codec.to_mono(self.samples), self.sample_rate)

    def legs(self, names: tuple[str, ...] = ("agent", "customer")) -> dict[str, codec.Pcm16]:
        """One 16 kHz mono signal per channel of a call recording, by leg name."""
        if self.channels != len(names):
            raise ValueError(f"{self.channels} channel(s) but {len(names)} leg names {names}")
        return {
            name: codec.resample(np.ascontiguousarray(self.samples[:, i]), self.sample_rate)
            for i, name in enumerate(names)
        }


def read_audio(path: str | Path, max_duration_s: float | None = None) -> AudioClip:
    """Read a WAV or raw telephone file; AudioInputError names the file and the problem."""
    path = Path(path)
    source = str(path)
    if not path.exists():
        raise AudioInputError(source, "no such file")
    if not path.is_file():
        raise AudioInputError(source, "not a regular file")
    size = path.stat().st_size
    if size == 0:
        raise AudioInputError(source, "empty file (0 bytes)")
    raw_encoding = RAW_ENCODINGS.get(path.suffix.lower())
    if raw_encoding is not None:
        if raw_encoding == "PCM_16" and size % 2:
            raise AudioInputError(source, f"raw PCM16 needs an even byte count, got {size}")
        return _read(path, max_duration_s, format="RAW", subtype=raw_encoding,
                     samplerate=RAW_RATE, channels=1, endian="LITTLE")
    with path.open("rb") as f:
        head = f.read(12)
    if head[:4] not in (b"RIFF", b"RIFX", b"RF64") or head[8:12] != b"WAVE":
        raise AudioInputError(source, "not a WAV file (no RIFF/WAVE header)")
    return _read(path, max_duration_s)


def _read(path: Path, max_s: float | None, **raw: Any) -> AudioClip:
    """Decode with libsndfile: every PCM width, float, G.711, ADPCM, GSM 6.10 …"""
    source = str(path)
    try:
        with sf.SoundFile(path, **raw) as f:
            _check(source, f, max_s)
            if f.subtype in ("FLOAT", "DOUBLE"):  # clipped here: libsndfile would wrap
                samples = codec.float_to_pcm16(f.read(dtype="float32", always_2d=True))
            else:
                samples = f.read(dtype="int16", always_2d=True)
            return AudioClip(np.ascontiguousarray(samples, dtype=np.int16), f.samplerate)
    except sf.LibsndfileError as err:
        raise AudioInputError(source, f"cannot decode: {_reason(err)}") from err


def _check(source: str, f: sf.SoundFile, max_s: float | None) -> None:
    """Before reading: the header agrees with the file, the shape is sane, the length allowed."""
    declared = _TRUNCATED.search(f.extra_info)
    if declared:
        raise AudioInputError(
            source,
            f"truncated: the header declares {declared[1]} bytes of audio,"
            f" the file holds {declared[2]}",
        )
    if not 1 <= f.channels <= 8:
        raise AudioInputError(source, f"unsupported channel count {f.channels}")
    if not 4000 <= f.samplerate <= 192000:
        raise AudioInputError(source, f"unsupported sample rate {f.samplerate} Hz")
    _check_length(source, f.frames, f.samplerate, max_s)


def _reason(err: sf.LibsndfileError) -> str:
    """libsndfile's own words, without the path it repeats."""
    return str(err.error_string).rstrip(".") or "libsndfile gave no reason"


def _check_length(source: str, frames: int, rate: int, max_duration_s: float | None) -> None:
    if frames == 0:
        raise AudioInputError(source, "no audio (0 samples)")
    duration = frames / rate
    if max_duration_s is not None and duration > max_duration_s:
        raise AudioInputError(
            source,
            f"too long: {_hms(duration)} of audio, the limit is {_hms(max_duration_s)}"
            " (HUIFANG_MAX_AUDIO_S)",
        )


def _hms(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m{whole % 60:02d}s"


def write_wav(path: str | Path, samples: codec.Pcm16, sample_rate: int,
              encoding: str = "pcm16") -> None:
    """Write int16 samples, shaped (frames,) or (frames, channels), as PCM16 or G.711 WAV."""
    if encoding not in WRITE_SUBTYPES:
        raise ValueError(f"unknown WAV encoding {encoding!r}: use pcm16, mulaw or alaw")
    frames = np.ascontiguousarray(samples.reshape(samples.shape[0], -1), dtype=np.int16)
    sf.write(str(path), frames, sample_rate, subtype=WRITE_SUBTYPES[encoding], format="WAV")
