"""Reading call audio: every common WAV shape, raw telephone files, and bad input."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from asr_testkit import FIXTURES, fixture_audio

from asr import codec
from asr.errors import AudioInputError
from asr.wavfile import AudioClip, read_audio, write_wav


def _wav(path: Path, body: bytes, tag: int, channels: int, rate: int, bits: int,
         declared: int | None = None, extensible: bool = False) -> Path:
    """Write a WAV by hand, so that headers the project itself never writes are covered."""
    width = (bits + 7) // 8
    if extensible:
        guid_tail = b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
        fmt = struct.pack("<HHIIHHHHI", 0xFFFE, channels, rate, rate * channels * width,
                          channels * width, bits, 22, bits, 0) + struct.pack("<H", tag) + guid_tail
    else:
        fmt = struct.pack("<HHIIHH", tag, channels, rate, rate * channels * width,
                          channels * width, bits)
    size = len(body) if declared is None else declared
    chunks = (b"fmt " + struct.pack("<I", len(fmt)) + fmt
              + b"LIST" + struct.pack("<I", 4) + b"INFO"  # a chunk readers must skip
              + b"data" + struct.pack("<I", size) + body)
    path.write_bytes(b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks)
    return path


SIGNAL = (np.sin(np.arange(800) * 2 * np.pi * 500 / 8000) * 20000).astype(np.int16)


def _close(clip: AudioClip, expected: np.ndarray, tolerance: int) -> None:
    assert clip.samples.shape == (len(expected), 1)
    assert np.abs(clip.samples[:, 0].astype(int) - expected.astype(int)).max() <= tolerance


def test_pcm16(tmp_path: Path) -> None:
    clip = read_audio(_wav(tmp_path / "a.wav", SIGNAL.tobytes(), 1, 1, 8000, 16))
    assert clip.sample_rate == 8000
    _close(clip, SIGNAL, 0)


def test_pcm8_unsigned(tmp_path: Path) -> None:
    body = ((SIGNAL.astype(np.int32) >> 8) + 128).astype(np.uint8).tobytes()
    _close(read_audio(_wav(tmp_path / "a.wav", body, 1, 1, 8000, 8)), SIGNAL, 256)


def test_pcm24_and_pcm32(tmp_path: Path) -> None:
    wide = SIGNAL.astype(np.int32) << 16
    b24 = b"".join(struct.pack("<i", int(v) >> 8)[:3] for v in wide)
    _close(read_audio(_wav(tmp_path / "a.wav", b24, 1, 1, 8000, 24)), SIGNAL, 0)
    _close(read_audio(_wav(tmp_path / "b.wav", wide.astype("<i4").tobytes(), 1, 1, 8000, 32)),
           SIGNAL, 0)


def test_float32_and_float64(tmp_path: Path) -> None:
    as_float = SIGNAL / 32767.0
    _close(read_audio(_wav(tmp_path / "a.wav", as_float.astype("<f4").tobytes(), 3, 1, 8000, 32)),
           SIGNAL, 1)
    _close(read_audio(_wav(tmp_path / "b.wav", as_float.astype("<f8").tobytes(), 3, 1, 8000, 64)),
           SIGNAL, 1)


def test_g711_wav_files(tmp_path: Path) -> None:
    for law, tag, encode in (("mulaw", 7, codec.ulaw_encode), ("alaw", 6, codec.alaw_encode)):
        clip = read_audio(_wav(tmp_path / f"{law}.wav", encode(SIGNAL), tag, 1, 8000, 8))
        _close(clip, SIGNAL, 1024)


def test_extensible_header(tmp_path: Path) -> None:
    path = _wav(tmp_path / "a.wav", SIGNAL.tobytes(), 1, 1, 8000, 16, extensible=True)
    _close(read_audio(path), SIGNAL, 0)


def test_stereo_call_recording_splits_per_leg(tmp_path: Path) -> None:
    system, customer = SIGNAL, (SIGNAL // 2)[::-1].copy()
    path = tmp_path / "call.wav"
    write_wav(path, np.stack([system, customer], axis=1), 8000)
    clip = read_audio(path)
    assert clip.channels == 2
    legs = clip.legs(("agent", "customer"))
    assert set(legs) == {"agent", "customer"}
    assert len(legs["agent"]) == 1600  # 0.1 s at 16 kHz
    assert legs["agent"].std() == pytest.approx(2 * legs["customer"].std(), rel=0.02)
    assert len(clip.mono16k()) == 1600


def test_any_rate_becomes_16k_mono(tmp_path: Path) -> None:
    t = np.arange(44100) / 44100
    stereo = (np.stack([np.sin(2 * np.pi * 300 * t)] * 2, axis=1) * 8000).astype(np.int16)
    path = tmp_path / "cd.wav"
    write_wav(path, stereo, 44100)
    mono = read_audio(path).mono16k()
    assert mono.dtype == np.int16
    assert len(mono) == 16000


@pytest.mark.parametrize("suffix", [".ul", ".ulaw", ".al", ".pcm"])
def test_raw_telephone_files(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"rtp{suffix}"
    if suffix in (".ul", ".ulaw"):
        path.write_bytes(codec.ulaw_encode(SIGNAL))
    elif suffix == ".al":
        path.write_bytes(codec.alaw_encode(SIGNAL))
    else:
        path.write_bytes(SIGNAL.tobytes())
    clip = read_audio(path)
    assert clip.sample_rate == 8000
    _close(clip, SIGNAL, 1024)


def test_write_then_read_every_encoding(tmp_path: Path) -> None:
    for encoding, tolerance in (("pcm16", 0), ("mulaw", 1024), ("alaw", 1024)):
        path = tmp_path / f"{encoding}.wav"
        write_wav(path, SIGNAL, 8000, encoding=encoding)
        _close(read_audio(path), SIGNAL, tolerance)


def test_real_fixture_reads_at_16k() -> None:
    clip = read_audio(FIXTURES / "speech" / "funasr_asr_example.wav")
    assert (clip.sample_rate, clip.channels) == (16000, 1)
    assert clip.duration_s == pytest.approx(5.55, abs=0.01)


# Bad input: each error names the file and says what is wrong.


def _problem(path: Path, max_s: float | None = None) -> str:
    with pytest.raises(AudioInputError) as info:
        read_audio(path, max_s)
    assert info.value.source == str(path)
    assert str(path) in str(info.value)
    return info.value.problem


def test_missing_file(tmp_path: Path) -> None:
    assert _problem(tmp_path / "nowhere.wav") == "no such file"


def test_text_file_named_wav(tmp_path: Path) -> None:
    path = tmp_path / "notes.wav"
    path.write_text("policy 8801 callback notes\n", encoding="utf-8")
    assert "not a WAV file" in _problem(path)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    assert "empty file" in _problem(path)


def test_zero_length_audio(tmp_path: Path) -> None:
    assert "0 samples" in _problem(_wav(tmp_path / "zero.wav", b"", 1, 1, 8000, 16))


def test_truncated_file(tmp_path: Path) -> None:
    body = SIGNAL.tobytes()
    path = _wav(tmp_path / "cut.wav", body[:500], 1, 1, 8000, 16, declared=len(body))
    problem = _problem(path)
    assert "truncated" in problem
    assert str(len(body)) in problem


def test_header_cut_inside_the_chunks(tmp_path: Path) -> None:
    path = tmp_path / "head.wav"
    path.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00")
    assert _problem(path) == "cannot decode: Error in WAV/W64/RF64 file. Short 'fmt ' chunk"


def test_three_hour_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "long.wav"
    frames = 3 * 3600 * 8000
    header = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + 2 * frames, b"WAVE", b"fmt ", 16,
                         1, 1, 8000, 16000, 2, 16, b"data", 2 * frames)
    with path.open("wb") as f:  # sparse: 172 MB of silence that costs no disk
        f.write(header)
        f.truncate(len(header) + 2 * frames)
    problem = _problem(path, max_s=7200)
    assert "too long" in problem
    assert "3h00m00s" in problem


@pytest.mark.parametrize(("tag", "bits"), [(3, 16), (2, 4)])
def test_undecodable_formats_are_one_line_errors(tmp_path: Path, tag: int, bits: int) -> None:
    problem = _problem(_wav(tmp_path / "odd.wav", b"\x00" * 64, tag, 1, 8000, bits))
    assert problem.startswith("cannot decode: ") and "\n" not in problem


def test_twelve_bit_samples_in_sixteen_bit_containers(tmp_path: Path) -> None:
    stored = (SIGNAL.astype(np.int32) >> 4 << 4).astype("<i2")  # 12 significant bits
    _close(read_audio(_wav(tmp_path / "a.wav", stored.tobytes(), 1, 1, 8000, 12)), SIGNAL, 16)


@pytest.mark.parametrize("subtype", ["IMA_ADPCM", "MS_ADPCM"])
def test_compressed_call_recorder_formats(tmp_path: Path, subtype: str) -> None:
    """What older call recorders write: ADPCM WAV, read through libsndfile."""
    path = tmp_path / f"{subtype}.wav"
    speech = fixture_audio("funasr_asr_example.wav")[::2]  # 8 kHz
    sf.write(str(path), speech, 8000, subtype=subtype, format="WAV")
    clip = read_audio(path)
    assert clip.sample_rate == 8000 and abs(len(clip.samples) - len(speech)) < 1000
    n = min(len(speech), len(clip.samples))
    error = clip.samples[:n, 0].astype(float) - speech[:n].astype(float)
    assert 10 * np.log10(np.mean(speech[:n].astype(float) ** 2) / np.mean(error ** 2)) > 8


def test_float_beyond_full_scale_is_clipped_not_wrapped(tmp_path: Path) -> None:
    loud = (SIGNAL / 20000.0 * 1.5).astype("<f4")  # peaks at 1.5 full scale
    clip = read_audio(_wav(tmp_path / "loud.wav", loud.tobytes(), 3, 1, 8000, 32))
    assert clip.samples.max() == 32767 and clip.samples.min() == -32768


def test_raw_pcm_with_odd_byte_count(tmp_path: Path) -> None:
    path = tmp_path / "odd.pcm"
    path.write_bytes(b"\x00\x01\x02")
    assert "even byte count" in _problem(path)
