"""Read call audio files — WAV of any common format, raw PCM16 and G.711 — with clear errors."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from asr import codec
from asr.errors import AudioInputError

# WAVE format tags (RIFF): the ones call recorders and softphones write.
FORMAT_PCM = 0x0001
FORMAT_FLOAT = 0x0003
FORMAT_ALAW = 0x0006
FORMAT_MULAW = 0x0007
FORMAT_EXTENSIBLE = 0xFFFE

# Raw files carry no header: their encoding comes from the extension, at telephone rate.
RAW_ENCODINGS = {".ul": "mulaw", ".ulaw": "mulaw", ".mulaw": "mulaw", ".al": "alaw",
                 ".alaw": "alaw", ".pcm": "pcm16", ".raw": "pcm16", ".sln": "pcm16"}
RAW_RATE = 8000


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


@dataclass(frozen=True)
class _WavFormat:
    tag: int
    channels: int
    rate: int
    block_align: int
    bits: int


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
        return _read_raw(path, raw_encoding, size, max_duration_s)
    return _read_wav(path, size, max_duration_s)


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


def _read_raw(path: Path, encoding: str, size: int, max_s: float | None) -> AudioClip:
    width = 2 if encoding == "pcm16" else 1
    if size % width:
        raise AudioInputError(str(path), f"raw PCM16 needs an even byte count, got {size}")
    _check_length(str(path), size // width, RAW_RATE, max_s)
    data = path.read_bytes()
    if encoding == "mulaw":
        samples = codec.ulaw_decode(data)
    elif encoding == "alaw":
        samples = codec.alaw_decode(data)
    else:
        samples = codec.pcm16_from_bytes(data)
    return AudioClip(samples.reshape(-1, 1), RAW_RATE)


def _read_wav(path: Path, size: int, max_s: float | None) -> AudioClip:
    source = str(path)
    with path.open("rb") as f:
        head = f.read(12)
        if len(head) < 12 or head[:4] not in (b"RIFF", b"RIFX") or head[8:12] != b"WAVE":
            raise AudioInputError(source, "not a WAV file (no RIFF/WAVE header)")
        if head[:4] == b"RIFX":
            raise AudioInputError(source, "big-endian WAV (RIFX) is not supported")
        fmt, data_offset, data_size = _scan_chunks(f, source, size)
    _check_format(source, fmt)
    available = size - data_offset
    if data_size > available:
        raise AudioInputError(
            source,
            f"truncated: the header declares {data_size} bytes of audio,"
            f" the file holds {available}",
        )
    frames = data_size // fmt.block_align
    _check_length(source, frames, fmt.rate, max_s)
    raw = np.fromfile(path, dtype=np.uint8, count=frames * fmt.block_align, offset=data_offset)
    return AudioClip(_decode(raw.tobytes(), fmt), fmt.rate)


def _scan_chunks(f: BinaryIO, source: str, size: int) -> tuple[_WavFormat, int, int]:
    """Walk the RIFF chunks to the `fmt ` and `data` chunks."""
    fmt: _WavFormat | None = None
    while True:
        header = f.read(8)
        if len(header) < 8:
            raise AudioInputError(source, "no data chunk" if fmt else "no fmt chunk")
        chunk_id, chunk_size = header[:4], struct.unpack("<I", header[4:])[0]
        if chunk_id == b"fmt ":
            fmt = _parse_fmt(source, f.read(chunk_size))
        elif chunk_id == b"data":
            if fmt is None:
                raise AudioInputError(source, "data chunk before the fmt chunk")
            return fmt, f.tell(), chunk_size
        else:
            f.seek(chunk_size + (chunk_size & 1), 1)
        if f.tell() > size:
            raise AudioInputError(source, "truncated: a chunk runs past the end of the file")


def _parse_fmt(source: str, body: bytes) -> _WavFormat:
    if len(body) < 16:
        raise AudioInputError(source, f"fmt chunk too short ({len(body)} bytes)")
    tag, channels, rate, _, block_align, bits = struct.unpack("<HHIIHH", body[:16])
    if tag == FORMAT_EXTENSIBLE:
        if len(body) < 40:
            raise AudioInputError(source, "WAVE_FORMAT_EXTENSIBLE fmt chunk too short")
        tag = struct.unpack("<H", body[24:26])[0]  # first two bytes of the sub-format GUID
    return _WavFormat(tag, channels, rate, block_align, bits)


def _check_format(source: str, fmt: _WavFormat) -> None:
    supported = {FORMAT_PCM: (8, 16, 24, 32), FORMAT_FLOAT: (32, 64),
                 FORMAT_ALAW: (8,), FORMAT_MULAW: (8,)}
    if fmt.tag not in supported:
        raise AudioInputError(source, f"unsupported WAV encoding (format tag 0x{fmt.tag:04x})")
    if fmt.bits not in supported[fmt.tag]:
        raise AudioInputError(
            source, f"unsupported sample width: {fmt.bits} bits (supported {supported[fmt.tag]})"
        )
    if not 1 <= fmt.channels <= 8:
        raise AudioInputError(source, f"unsupported channel count {fmt.channels}")
    if not 4000 <= fmt.rate <= 192000:
        raise AudioInputError(source, f"unsupported sample rate {fmt.rate} Hz")
    if fmt.block_align != fmt.channels * ((fmt.bits + 7) // 8):
        raise AudioInputError(source, f"inconsistent fmt chunk (block align {fmt.block_align})")


def _decode(data: bytes, fmt: _WavFormat) -> codec.Pcm16:
    """Bytes of whole frames → int16 (frames, channels)."""
    if fmt.tag == FORMAT_MULAW:
        mono = codec.ulaw_decode(data)
    elif fmt.tag == FORMAT_ALAW:
        mono = codec.alaw_decode(data)
    elif fmt.tag == FORMAT_FLOAT:
        dtype = "<f4" if fmt.bits == 32 else "<f8"
        mono = codec.float_to_pcm16(np.frombuffer(data, dtype=dtype))
    elif fmt.bits == 8:  # 8-bit WAV is unsigned
        mono = ((np.frombuffer(data, dtype=np.uint8).astype(np.int16) - 128) << 8).astype(np.int16)
    elif fmt.bits == 16:
        mono = codec.pcm16_from_bytes(data)
    elif fmt.bits == 24:
        b = np.frombuffer(data, dtype=np.uint8).reshape(-1, 3)
        mono = (b[:, 1].astype(np.int16) | (b[:, 2].astype(np.int8).astype(np.int16) << 8))
    else:
        mono = (np.frombuffer(data, dtype="<i4") >> 16).astype(np.int16)
    return mono.reshape(-1, fmt.channels)


def write_wav(path: str | Path, samples: codec.Pcm16, sample_rate: int,
              encoding: str = "pcm16") -> None:
    """Write int16 samples, shaped (frames,) or (frames, channels), as PCM16 or G.711 WAV."""
    frames = samples.reshape(samples.shape[0], -1)
    channels = frames.shape[1]
    interleaved = np.ascontiguousarray(frames, dtype=np.int16).reshape(-1)
    if encoding == "pcm16":
        tag, width, data = FORMAT_PCM, 2, codec.pcm16_to_bytes(interleaved)
    elif encoding == "mulaw":
        tag, width, data = FORMAT_MULAW, 1, codec.ulaw_encode(interleaved)
    elif encoding == "alaw":
        tag, width, data = FORMAT_ALAW, 1, codec.alaw_encode(interleaved)
    else:
        raise ValueError(f"unknown WAV encoding {encoding!r}: use pcm16, mulaw or alaw")
    header = struct.pack(
        "<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + len(data) + (len(data) & 1), b"WAVE", b"fmt ", 16,
        tag, channels, sample_rate, sample_rate * channels * width, channels * width, width * 8,
        b"data", len(data),
    )
    Path(path).write_bytes(header + data + b"\0" * (len(data) & 1))
