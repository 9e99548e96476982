"""Sample conversion in one place: PCM16 bytes, G.711 mu-law/A-law, channels, sample rates.

Everything the recognisers see is 16 kHz mono PCM16 (`PIPELINE_RATE`); this module is the
only one that changes rate, width or encoding.
"""

from __future__ import annotations

from math import gcd

import numpy as np
import numpy.typing as npt
import soxr
from scipy import signal

PIPELINE_RATE = 16000

Pcm16 = npt.NDArray[np.int16]

_ULAW_BIAS = 0x84


def pcm16_from_bytes(data: bytes) -> Pcm16:
    """Little-endian PCM16 bytes → int16 samples."""
    if len(data) % 2:
        raise ValueError(f"PCM16 needs an even number of bytes, got {len(data)}")
    return np.frombuffer(data, dtype="<i2").astype(np.int16)


def pcm16_to_bytes(samples: Pcm16) -> bytes:
    """int16 samples → little-endian PCM16 bytes."""
    return np.asarray(samples, dtype="<i2").tobytes()


def _ulaw_decode_table() -> Pcm16:
    codes = ~np.arange(256, dtype=np.int32) & 0xFF
    exponent = (codes >> 4) & 0x07
    mantissa = codes & 0x0F
    magnitude = (((mantissa << 3) + _ULAW_BIAS) << exponent) - _ULAW_BIAS
    return np.where(codes & 0x80, -magnitude, magnitude).astype(np.int16)


def _alaw_decode_table() -> Pcm16:
    codes = np.arange(256, dtype=np.int32) ^ 0x55
    exponent = (codes >> 4) & 0x07
    mantissa = codes & 0x0F
    magnitude = np.where(
        exponent == 0, (mantissa << 4) + 8, ((mantissa << 4) + 0x108) << np.maximum(exponent - 1, 0)
    )
    return np.where(codes & 0x80, magnitude, -magnitude).astype(np.int16)


_ULAW_TABLE = _ulaw_decode_table()
_ALAW_TABLE = _alaw_decode_table()


_ULAW_SEG_END = np.array([0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF])
_ALAW_SEG_END = np.array([0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF])


def ulaw_decode(data: bytes) -> Pcm16:
    """G.711 mu-law bytes → PCM16 samples."""
    return _ULAW_TABLE[np.frombuffer(data, dtype=np.uint8)]


def ulaw_encode(samples: Pcm16) -> bytes:
    """PCM16 samples → G.711 mu-law bytes (the ITU reference coder on 14-bit values)."""
    x = np.asarray(samples, dtype=np.int32) >> 2
    mask = np.where(x < 0, 0x7F, 0xFF)
    magnitude = np.minimum(np.abs(x), 8159) + (_ULAW_BIAS >> 2)
    seg = np.searchsorted(_ULAW_SEG_END, magnitude)
    uval = (np.minimum(seg, 7) << 4) | ((magnitude >> (seg + 1)) & 0x0F)
    uval = np.where(seg >= 8, 0x7F, uval)
    return (uval ^ mask).astype(np.uint8).tobytes()


def alaw_decode(data: bytes) -> Pcm16:
    """G.711 A-law bytes → PCM16 samples."""
    return _ALAW_TABLE[np.frombuffer(data, dtype=np.uint8)]


def alaw_encode(samples: Pcm16) -> bytes:
    """PCM16 samples → G.711 A-law bytes (the ITU reference coder on 13-bit values)."""
    x = np.asarray(samples, dtype=np.int32) >> 3
    mask = np.where(x >= 0, 0xD5, 0x55)
    magnitude = np.where(x >= 0, x, -x - 1)
    seg = np.searchsorted(_ALAW_SEG_END, magnitude)
    shift = np.where(seg < 2, 1, seg)
    aval = (np.minimum(seg, 7) << 4) | ((magnitude >> shift) & 0x0F)
    aval = np.where(seg >= 8, 0x7F, aval)
    return (aval ^ mask).astype(np.uint8).tobytes()


def to_mono(channels: Pcm16) -> Pcm16:
    """(frames, channels) → mono by averaging; 1-D input passes through."""
    if channels.ndim == 1:
        return channels
    if channels.shape[1] == 1:
        return channels[:, 0].copy()
    return np.asarray(np.round(channels.astype(np.float64).mean(axis=1)), dtype=np.int16)


def resample(samples: Pcm16, from_rate: int, to_rate: int = PIPELINE_RATE) -> Pcm16:
    """Resample a whole mono signal: libsoxr, high quality (7× scipy's polyphase here)."""
    if from_rate <= 0 or to_rate <= 0:
        raise ValueError(f"sample rates must be positive, got {from_rate} → {to_rate}")
    if from_rate == to_rate:
        return samples
    out = soxr.resample(np.ascontiguousarray(samples, dtype=np.int16), from_rate, to_rate,
                        quality="HQ")
    return np.asarray(out, dtype=np.int16)


def float_to_pcm16(samples: npt.NDArray[np.floating]) -> Pcm16:
    """Float samples in [-1, 1] → PCM16, clipped."""
    return np.clip(np.round(samples * 32767.0), -32768, 32767).astype(np.int16)


def pcm16_to_float(samples: Pcm16) -> npt.NDArray[np.float32]:
    """PCM16 → float32 in [-1, 1), the form the Whisper model takes."""
    return (np.asarray(samples, dtype=np.float32) / 32768.0).astype(np.float32)


class StreamResampler:
    """Rate conversion for audio that arrives in chunks (RTP frames), filter state kept between.

    Kept by hand rather than soxr.ResampleStream: libsoxr's stream gives nothing for the
    first ~100 ms of 20 ms chunks and then bursts (bench/audio_io.py), which a live leg's
    VAD would see as latency; this filter delays by 1 ms and gives every chunk its samples.
    """

    def __init__(self, from_rate: int, to_rate: int = PIPELINE_RATE, taps_per_phase: int = 16):
        g = gcd(from_rate, to_rate)
        self.up, self.down = to_rate // g, from_rate // g
        self._phase = 0  # offset of the next kept sample in the upsampled stream
        if self.up == self.down:
            return
        cutoff = 1.0 / max(self.up, self.down)
        self._taps = signal.firwin(taps_per_phase * max(self.up, self.down) | 1, cutoff) * self.up
        self._state = np.zeros(len(self._taps) - 1)

    def process(self, samples: Pcm16) -> Pcm16:
        """Convert the next chunk; output length follows the rate ratio across chunks."""
        if self.up == self.down:
            return samples
        stuffed = np.zeros(len(samples) * self.up)
        stuffed[:: self.up] = samples
        filtered, self._state = signal.lfilter(self._taps, 1.0, stuffed, zi=self._state)
        kept = filtered[self._phase :: self.down]
        self._phase = (self._phase - len(stuffed)) % self.down
        return np.asarray(np.clip(np.round(kept), -32768, 32767), dtype=np.int16)
