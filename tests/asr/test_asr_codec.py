"""Sample conversion: PCM16 bytes, G.711 both laws, channels and rates, chunked resampling."""

from __future__ import annotations

import numpy as np
import pytest
from asr_testkit import fixture_audio

from asr import codec


def _snr_db(reference: np.ndarray, other: np.ndarray) -> float:
    ref = reference.astype(np.float64)
    noise = ref - other.astype(np.float64)
    return float(10 * np.log10(np.sum(ref**2) / max(np.sum(noise**2), 1e-9)))


def _tone(hz: float, rate: int, seconds: float = 1.0, amplitude: float = 12000) -> codec.Pcm16:
    t = np.arange(int(rate * seconds)) / rate
    return (np.sin(2 * np.pi * hz * t) * amplitude).astype(np.int16)


def _peak_hz(samples: codec.Pcm16, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64) * np.hanning(len(samples))))
    return float(np.argmax(spectrum) * rate / len(samples))


def test_pcm16_bytes_round_trip() -> None:
    samples = np.array([-32768, -1, 0, 1, 32767], dtype=np.int16)
    data = codec.pcm16_to_bytes(samples)
    assert data == b"\x00\x80\xff\xff\x00\x00\x01\x00\xff\x7f"
    assert np.array_equal(codec.pcm16_from_bytes(data), samples)


def test_pcm16_rejects_odd_byte_count() -> None:
    with pytest.raises(ValueError, match="even number"):
        codec.pcm16_from_bytes(b"\x00\x01\x02")


@pytest.mark.parametrize(
    ("encode", "decode", "silence_code", "negative_zero"),
    [(codec.ulaw_encode, codec.ulaw_decode, 0xFF, 0x7F),
     (codec.alaw_encode, codec.alaw_decode, 0xD5, None)],
)
def test_g711_every_code_survives_decode_encode(encode, decode, silence_code, negative_zero):  # type: ignore[no-untyped-def]
    codes = bytes(c for c in range(256) if c != negative_zero)
    assert encode(decode(codes)) == codes
    assert encode(np.zeros(1, dtype=np.int16)) == bytes([silence_code])


def test_g711_known_values() -> None:
    # ITU-T G.711 tables: full-scale positive and negative, and the smallest steps.
    assert codec.ulaw_decode(bytes([0x80, 0x00, 0xFE, 0x7E])).tolist() == [32124, -32124, 8, -8]
    assert codec.alaw_decode(bytes([0xAA, 0x2A, 0xD5, 0x55])).tolist() == [32256, -32256, 8, -8]


@pytest.mark.parametrize("law", ["ulaw", "alaw"])
def test_g711_round_trip_on_real_speech_keeps_38_db(law: str) -> None:
    speech = codec.resample(fixture_audio("funasr_asr_example.wav"), 16000, 8000)
    encode = codec.ulaw_encode if law == "ulaw" else codec.alaw_encode
    decode = codec.ulaw_decode if law == "ulaw" else codec.alaw_decode
    back = decode(encode(speech))
    assert len(back) == len(speech)
    # G.711 gives about 38 dB SNR on speech-level signals; a wrong segment table gives < 20.
    assert _snr_db(speech, back) > 30


def test_g711_error_is_bounded_by_its_step_size() -> None:
    x = np.arange(-32768, 32768, 7, dtype=np.int16)
    for encode, decode in ((codec.ulaw_encode, codec.ulaw_decode),
                           (codec.alaw_encode, codec.alaw_decode)):
        err = np.abs(decode(encode(x)).astype(np.int32) - x.astype(np.int32))
        # The largest quantisation step of either law is 1024 (mu-law) / 1024 (A-law).
        assert err.max() <= 1024
        small = np.abs(x.astype(np.int32)) < 100
        assert err[small].max() <= 16


def test_to_mono_averages_channels() -> None:
    stereo = np.array([[100, 300], [-100, -300], [0, 1]], dtype=np.int16)
    assert codec.to_mono(stereo).tolist() == [200, -200, 0]
    assert codec.to_mono(stereo[:, :1]).tolist() == [100, -100, 0]


@pytest.mark.parametrize("rate", [8000, 11025, 22050, 32000, 44100, 48000])
def test_resample_keeps_a_tone(rate: int) -> None:
    tone = _tone(1000.0, rate)
    out = codec.resample(tone, rate, 16000)
    assert len(out) == 16000
    assert abs(_peak_hz(out, 16000) - 1000.0) < 2
    assert 0.9 < out.std() / tone.std() < 1.1


def test_resample_round_trip_8k_16k_8k() -> None:
    speech8 = codec.resample(fixture_audio("wenet_BAC009S0724W0121.wav"), 16000, 8000)
    back = codec.resample(codec.resample(speech8, 8000, 16000), 16000, 8000)
    assert len(back) == len(speech8)
    assert _snr_db(speech8[100:-100], back[100:-100]) > 25


def test_resample_removes_what_the_new_rate_cannot_carry() -> None:
    tone = _tone(6000.0, 16000)  # above 4 kHz: must vanish at 8 kHz, not alias to 2 kHz
    out = codec.resample(tone, 16000, 8000)
    assert out.std() < tone.std() * 0.05


@pytest.mark.parametrize(("rate", "chunk"), [(8000, 160), (48000, 960), (16000, 320)])
def test_stream_resampler_matches_whole_signal_conversion(rate: int, chunk: int) -> None:
    tone = _tone(440.0, rate, seconds=2.0)
    resampler = codec.StreamResampler(rate)
    out = np.concatenate([resampler.process(tone[i : i + chunk])
                          for i in range(0, len(tone), chunk)])
    assert len(out) == 32000
    steady = out[4000:-4000]
    assert abs(_peak_hz(steady, 16000) - 440.0) < 2
    assert 0.9 < steady.std() / tone.std() < 1.1


def test_float_conversions_round_trip() -> None:
    samples = np.array([-32768, -16384, 0, 16384, 32767], dtype=np.int16)
    back = codec.float_to_pcm16(codec.pcm16_to_float(samples))
    assert np.abs(back.astype(int) - samples.astype(int)).max() <= 1
