"""The after-call pass: nothing the VAD heard is lost, and a file gives the same text twice."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from asr_testkit import fixture_audio, silence, whisper_engine

from asr.engines import AsrConfig, load_engine
from asr.engines.whisper import FASTER_WHISPER_TEMPERATURES
from asr.engines.whisper_call import CallPassOptions, decode_leg, runaway, windows
from asr.evaluation import character_error_rate
from asr.events import TranscriptPass, Undecodable, Word
from asr.transcribe import transcribe_file
from asr.vad import VadConfig
from asr.wavfile import write_wav
from huifang.settings import Settings, asr_config

WELCOME = "欢迎大家来体验达摩院推出的语音识别模型"
TRADE = "甚至出现交易几乎停滞的情况"
GUANGZHOU = "广州市房地产中介协会分析"
RATE = 16000


def _noise(samples: np.ndarray, seed: int = 7) -> np.ndarray:
    """A faint line-noise floor under the signal, as a real call has."""
    hiss = np.random.default_rng(seed).normal(0, 6, len(samples))
    return np.clip(samples + hiss, -32768, 32767).astype(np.int16)


def test_speech_up_to_the_last_sample_is_kept(tmp_path: Path) -> None:
    speech = fixture_audio("funasr_asr_example.wav")
    voiced = np.flatnonzero(np.abs(speech) > 1000)
    cut = speech[: voiced[-1] + 1]  # the file ends on the last loud sample: no silence after
    path = tmp_path / "ends_in_speech.wav"
    write_wav(path, _noise(np.concatenate([silence(1.0), cut])), RATE)
    result = transcribe_file(whisper_engine(), path, after_call=True)
    assert result.decoded_by is TranscriptPass.AFTER_CALL
    assert result.text.endswith("模型"), result.text
    assert result.undecodable == ()


def test_the_customer_just_before_the_hang_up_is_kept(tmp_path: Path) -> None:
    agent, customer = fixture_audio("wenet_BAC009S0724W0121.wav"), fixture_audio(
        "s3tokenizer_BAC009S0764W0121.wav")
    total = len(agent) + len(customer) + RATE  # the customer's last word, then the line drops
    legs = np.zeros((total, 2), dtype=np.int16)
    legs[: len(agent), 0] = agent
    legs[len(agent) + RATE // 2 : len(agent) + RATE // 2 + len(customer), 1] = customer
    path = tmp_path / "call.wav"
    write_wav(path, np.stack([_noise(legs[:, 0], 1), _noise(legs[:, 1], 2)], axis=1), RATE)
    result = transcribe_file(whisper_engine(), path, legs=("agent", "customer"),
                             after_call=True)
    by_leg = {leg: "".join(s.text for s in result.segments if s.leg == leg)
              for leg in ("agent", "customer")}
    assert character_error_rate([GUANGZHOU], [by_leg["agent"]]) <= 0.2
    assert character_error_rate([TRADE], [by_leg["customer"]]) <= 0.2
    assert result.segments[-1].leg == "customer"


def test_a_sentence_cut_by_the_vad_is_heard_whole(tmp_path: Path) -> None:
    # The VAD closes an utterance after 2 s of speech: the sentence is cut mid-word, twice.
    cutting = load_engine(AsrConfig(whisper_model=Settings().whisper_model,
                                    vad=VadConfig(max_utterance_s=2.0)))
    path = tmp_path / "long_sentence.wav"
    write_wav(path, _noise(np.concatenate([silence(0.5), fixture_audio(
        "funasr_asr_example.wav"), silence(0.5)])), RATE)
    whole = transcribe_file(cutting, path, after_call=True)
    pieces = transcribe_file(cutting, path, after_call=False)
    assert len(pieces.segments) >= 2  # the live path decodes the pieces apart
    assert whole.text.startswith("欢迎大家") and whole.text.endswith("识别模型"), whole.text
    assert len(whole.segments) == 1  # one sentence, one segment: the cuts left no seam
    assert character_error_rate([WELCOME], [whole.text]) <= character_error_rate(
        [WELCOME], [pieces.text])


def test_the_same_file_gives_the_same_transcript_every_time(tmp_path: Path) -> None:
    path = tmp_path / "twice.wav"
    write_wav(path, _noise(np.concatenate([fixture_audio("wenet_BAC009S0724W0121.wav"),
                                           silence(0.3),
                                           fixture_audio("s3tokenizer_BAC009S0764W0121.wav")])),
              RATE)
    # HUIFANG_AFTER_CALL_PASS=true: the file commands decode this way.
    engine = load_engine(asr_config(Settings().model_copy(update={"after_call_pass": True}),
                                    "whisper"))
    runs = [transcribe_file(engine, path) for _ in range(2)]
    assert runs[0].decoded_by is TranscriptPass.AFTER_CALL
    assert [(s.text, s.start, s.end) for s in runs[0].segments] == [
        (s.text, s.start, s.end) for s in runs[1].segments]
    assert runs[0].text and runs[0].text == runs[1].text


# The window pass's bookkeeping, on a fake model (no audio decoding needed).


@dataclass
class _Segment:
    text: str
    start: float
    end: float
    avg_logprob: float = -0.3


class _FakeModel:
    """Gives the scripted segments per window, in window order."""

    def __init__(self, per_window: list[list[_Segment]]) -> None:
        self._per_window = per_window
        self.prompts: list[str | None] = []
        self.calls: list[tuple[int, dict[str, Any]]] = []

    def transcribe(self, audio: Any, **options: Any) -> tuple[list[_Segment], None]:
        self.prompts.append(options["initial_prompt"])
        self.calls.append((len(audio), options))
        return self._per_window.pop(0), None


def _two_bursts() -> np.ndarray:
    """Two stretches of loud voiced-like signal, 4 s apart (two windows)."""
    t = np.arange(RATE) / RATE
    burst = (np.sin(2 * np.pi * 220 * t) * (1 + np.sin(2 * np.pi * 3 * t)) * 6000)
    return _noise(np.concatenate([silence(0.5), burst, silence(4.0), burst, silence(0.5)]))


def _decode(model: _FakeModel, alone_text: str = "", context: bool = False,
            whole_leg: bool = False) -> tuple[Any, list[float]]:
    asked: list[float] = []

    def alone(audio: Any, offset_s: float) -> tuple[str, tuple[Word, ...]]:
        asked.append(offset_s)
        return alone_text, ()

    result = decode_leg(model, _two_bursts(), "customer", VadConfig(),
                        CallPassOptions(carry_context=context, whole_leg=whole_leg), alone, str,
                        lambda text: "字幕" in text)
    return result, asked


def test_a_stretch_no_segment_covers_is_decoded_alone_or_reported() -> None:
    model = _FakeModel([[_Segment("第一句", 0.2, 1.2)], []])
    result, asked = _decode(model)
    assert [t.text for t in result.finals] == ["第一句"]
    assert len(asked) == 1 and asked[0] > 4.0  # only the second stretch, the one missed
    assert len(result.undecodable) == 1
    lost = result.undecodable[0]
    assert isinstance(lost, Undecodable) and lost.leg == "customer"
    assert 5.0 < lost.start < lost.end < 6.8
    again, _ = _decode(_FakeModel([[_Segment("第一句", 0.2, 1.2)], []]), alone_text="第二句")
    assert [t.text for t in again.finals] == ["第一句", "第二句"] and again.undecodable == ()


def test_whole_leg_is_one_plain_deterministic_decode_and_gaps_are_filled() -> None:
    # The whole leg decoded as a plain decode would; the last burst (speech just before the
    # hang-up) is left uncovered by it, so it is decoded alone and put in time order.
    model = _FakeModel([[_Segment("第一句", 0.4, 1.6)]])
    result, asked = _decode(model, alone_text="第二句", whole_leg=True)
    assert len(model.calls) == 1 and model.calls[0][0] == len(_two_bursts())
    options = model.calls[0][1]
    assert options["temperature"] == [0.0] and options["condition_on_previous_text"]
    assert [t.text for t in result.finals] == ["第一句", "第二句"] and result.undecodable == ()
    assert len(asked) == 1 and asked[0] > 4.0
    # Nothing from either decode: reported with its span, never silently dropped.
    result, _ = _decode(_FakeModel([[_Segment("第一句", 0.4, 1.6)]]), whole_leg=True)
    assert [t.text for t in result.finals] == ["第一句"]
    assert len(result.undecodable) == 1
    assert 5.0 < result.undecodable[0].start < result.undecodable[0].end < 6.8
    # A runaway over the whole leg is dropped: each stretch is decoded alone instead.
    result, asked = _decode(_FakeModel([[_Segment("零" * 200, 0.0, 7.0)]]), alone_text="句",
                            whole_leg=True)
    assert [t.text for t in result.finals] == ["句", "句"] and len(asked) == 2
    # Same input, same text.
    again, _ = _decode(_FakeModel([[_Segment("零" * 200, 0.0, 7.0)]]), alone_text="句",
                       whole_leg=True)
    assert [(t.text, t.start, t.end) for t in again.finals] == [
        (t.text, t.start, t.end) for t in result.finals]


def test_the_text_so_far_is_the_next_windows_prompt_and_runaways_are_not() -> None:
    model = _FakeModel([[_Segment("零" * 80, 0.2, 1.2)], [_Segment("第二句", 1.1, 2.0)]])
    result, _ = _decode(model, alone_text="第一句", context=True)
    assert [t.text for t in result.finals] == ["第一句", "第二句"]  # the runaway re-decoded
    assert model.prompts == [None, None]  # the runaway never became a prompt
    model = _FakeModel([[_Segment("第一句", 0.2, 1.2)], [_Segment("第二句", 1.1, 2.0)]])
    _decode(model, context=True)
    assert model.prompts == [None, "第一句"]
    model = _FakeModel([[_Segment("第一句", 0.2, 1.2)], [_Segment("第二句", 1.1, 2.0)]])
    _decode(model)
    assert model.prompts == [None, None]  # the default: each window on its own


def test_with_fallback_each_window_is_decoded_inside_its_own_seeded_context() -> None:
    model = _FakeModel([[_Segment("第一句", 0.2, 1.2)], [_Segment("第二句", 0.2, 1.2)]])
    seeded: list[int] = []

    @contextmanager
    def seeding(audio: np.ndarray) -> Iterator[None]:
        seeded.append(len(audio))
        yield
        seeded.append(-len(audio))  # left only after the window's decode

    options = CallPassOptions(temperatures=FASTER_WHISPER_TEMPERATURES)
    result = decode_leg(model, _two_bursts(), None, VadConfig(), options,
                        lambda a, o: ("", ()), str, lambda t: False, seeding)
    assert [t.text for t in result.finals] == ["第一句", "第二句"]
    sizes = [n for n, _ in model.calls]
    assert seeded == [sizes[0], -sizes[0], sizes[1], -sizes[1]]
    assert all(o["temperature"] == list(FASTER_WHISPER_TEMPERATURES) for _, o in model.calls)
    # Off (the default): one beam search per window.
    model = _FakeModel([[_Segment("第一句", 0.2, 1.2)], [_Segment("第二句", 0.2, 1.2)]])
    _decode(model)
    assert all(o["temperature"] == [0.0] for _, o in model.calls)


def test_invented_credits_over_speech_are_kept_over_silence_dropped() -> None:
    model = _FakeModel([[_Segment("字幕由志愿者提供", 0.5, 1.5)],
                        [_Segment("字幕组", 2.1, 2.5)]])  # the second sits in the silence
    result, _ = _decode(model, alone_text="")
    assert [t.text for t in result.finals] == ["字幕由志愿者提供"]


def test_windows_join_close_stretches_and_pad_them() -> None:
    spans = [(16000, 32000), (40000, 48000), (200000, 210000)]
    got = windows(spans, 212000, CallPassOptions(join_gap_s=2.0, pad_s=0.5))
    assert got == [(8000, 56000), (192000, 212000)]
    # Pads never overlap: where they would, the cut is in the middle of the gap.
    got = windows([(16000, 32000), (50000, 56000)], 212000,
                  CallPassOptions(join_gap_s=0.5, pad_s=1.0))
    assert got == [(0, 41000), (41000, 72000)]
    # A window holds at most max_window_s, pads included.
    long_spans = [(n * 80000, n * 80000 + 64000) for n in range(5)]  # 4 s speech, 1 s gaps
    got = windows(long_spans, 400000, CallPassOptions(max_window_s=10.0, pad_s=0.5))
    assert all(end - start <= 160000 for start, end in got) and len(got) == 3


def test_runaway_text() -> None:
    assert runaway("零" * 60, 3.0, 2.4)
    assert not runaway("甚至出现交易几乎停滞的情况", 4.0, 2.4)
    assert runaway("好" * 40, 1.0, 10.0)  # 40 characters in a second: nobody says that
