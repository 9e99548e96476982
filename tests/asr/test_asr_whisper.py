"""The Whisper engine through the streaming interface, on real Mandarin recordings."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import numpy as np
import pytest
from asr_testkit import fixture_audio, silence, whisper_engine

from asr.codec import Pcm16
from asr.engines import AsrConfig, load_engine
from asr.engines.whisper import WhisperEngine, clean_text
from asr.errors import EngineLoadError
from asr.evaluation import character_error_rate
from asr.events import Transcript, TranscriptKind
from asr.stream import AsyncRecognitionStream, RecognitionStream
from asr.transcribe import CHUNK_SAMPLES, transcribe_samples
from huifang.settings import Settings, asr_config

WELCOME = "欢迎大家来体验达摩院推出的语音识别模型"


def _stream_all(stream: RecognitionStream, samples: Pcm16) -> list[Transcript]:
    for i in range(0, len(samples), CHUNK_SAMPLES):
        stream.push(samples[i : i + CHUNK_SAMPLES])
    stream.end()
    return list(stream.results(timeout=120))


def test_final_text_and_times_of_a_real_recording() -> None:
    samples = fixture_audio("funasr_asr_example.wav")
    results = _stream_all(RecognitionStream(whisper_engine(), leg="customer"), samples)
    finals = [r for r in results if r.kind is TranscriptKind.FINAL]
    assert len(finals) == 1
    final = finals[0]
    assert final.leg == "customer"
    assert character_error_rate([WELCOME], [final.text]) <= 0.1
    assert 0.5 <= final.start < final.end <= len(samples) / 16000


def test_each_utterance_gets_its_own_final_in_order() -> None:
    a = fixture_audio("s3tokenizer_BAC009S0764W0121.wav")
    b = fixture_audio("funasr_asr_example.wav")
    finals = transcribe_samples(whisper_engine(), np.concatenate([a, silence(1.2), b]))
    assert len(finals) == 2
    assert finals[0].end < finals[1].start
    assert finals[1].start > len(a) / 16000
    assert character_error_rate(["甚至出现交易几乎停滞的情况", WELCOME],
                                [finals[0].text, finals[1].text]) <= 0.15


def test_silence_gives_no_text() -> None:
    assert transcribe_samples(whisper_engine(), silence(3.0)) == []


def test_partials_arrive_while_speaking_when_enabled() -> None:
    settings = Settings(asr_partial_interval_s=1.0)
    engine = load_engine(asr_config(settings, "whisper"))
    samples = fixture_audio("funasr_asr_example.wav")
    results = _stream_all(RecognitionStream(engine), samples)
    partials = [r for r in results if r.kind is TranscriptKind.PARTIAL]
    assert len(partials) >= 2
    assert results[-1].kind is TranscriptKind.FINAL
    assert all(p.end <= results[-1].end + 0.2 for p in partials)
    assert partials[-1].text[:4] == results[-1].text[:4]


def test_four_streams_at_once_each_get_their_own_text() -> None:
    names = {
        "a": ("funasr_asr_example.wav", WELCOME),
        "b": ("s3tokenizer_BAC009S0764W0121.wav", "甚至出现交易几乎停滞的情况"),
        "c": ("wenet_BAC009S0724W0121.wav", "广州市房地产中介协会分析"),
        "d": ("funasr_asr_example.wav", WELCOME),
    }
    streams = {leg: RecognitionStream(whisper_engine(), leg=leg) for leg in names}

    def feed(leg: str) -> None:
        samples = fixture_audio(names[leg][0])
        for i in range(0, len(samples), CHUNK_SAMPLES):
            streams[leg].push(samples[i : i + CHUNK_SAMPLES])
        streams[leg].end()

    feeders = [threading.Thread(target=feed, args=(leg,)) for leg in names]
    for t in feeders:
        t.start()
    for t in feeders:
        t.join()
    for leg, (_, reference) in names.items():
        finals = [r for r in streams[leg].results(timeout=120) if r.is_final]
        assert [r.leg for r in finals] == [leg]
        assert character_error_rate([reference], [finals[0].text]) <= 0.2
        assert streams[leg].counters.chunks_dropped == 0


def test_async_stream_decodes_off_the_event_loop() -> None:
    decode_threads: set[str] = set()
    real = whisper_engine()

    class Watching:
        """Records which thread runs each decode."""

        name = "watching"

        def new_recognizer(self, leg: str | None = None) -> object:
            inner = real.new_recognizer(leg)

            class Recognizer:
                def accept(self, pcm: Pcm16) -> list[Transcript]:
                    decode_threads.add(threading.current_thread().name)
                    return inner.accept(pcm)

                def finish(self) -> list[Transcript]:
                    decode_threads.add(threading.current_thread().name)
                    return inner.finish()

            return Recognizer()

    async def main() -> tuple[list[Transcript], str]:
        stream = AsyncRecognitionStream(Watching(), leg="customer")  # type: ignore[arg-type]
        samples = fixture_audio("funasr_asr_example.wav")
        for i in range(0, len(samples), CHUNK_SAMPLES):
            stream.push(samples[i : i + CHUNK_SAMPLES])
        stream.end()
        return [r async for r in stream.results()], threading.current_thread().name

    results, loop_thread = asyncio.run(main())
    assert [r.kind for r in results] == [TranscriptKind.FINAL]
    assert character_error_rate([WELCOME], [results[0].text]) <= 0.1
    assert decode_threads == {"asr-customer"}
    assert loop_thread not in decode_threads


def test_one_model_per_process() -> None:
    config = asr_config(Settings(), "whisper")
    assert load_engine(config) is load_engine(config)


def test_missing_model_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EngineLoadError, match="does not exist"):
        WhisperEngine(str(tmp_path / "no-model-here"))


def test_unknown_model_name_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # a name would otherwise be fetched
    with pytest.raises(EngineLoadError, match="HUIFANG_WHISPER_MODEL"):
        load_engine(AsrConfig(whisper_model="no-such-whisper-size"))


def test_output_is_simplified_half_width_without_spaces() -> None:
    assert clean_text(" 這裡是 回訪中心，請問您是本人嗎？ ") == "这里是回访中心,请问您是本人吗?"
    assert clean_text("換著喝") == "换着喝"


def test_decoding_during_the_hang_over_gives_the_same_final() -> None:
    settings = Settings()
    eager = load_engine(asr_config(settings.model_copy(update={"asr_speculate_ms": 150}),
                                   "whisper"))
    patient = load_engine(asr_config(settings.model_copy(update={"asr_speculate_ms": 0}),
                                     "whisper"))
    samples = np.concatenate([fixture_audio("funasr_asr_example.wav"), silence(1.0)])
    recognizers = {"eager": eager.new_recognizer(), "patient": patient.new_recognizer()}
    finals: dict[str, list[Transcript]] = {}
    for name, recognizer in recognizers.items():
        results: list[Transcript] = []
        for i in range(0, len(samples), CHUNK_SAMPLES):
            results += recognizer.accept(samples[i : i + CHUNK_SAMPLES])
        finals[name] = results + recognizer.finish()
    assert [(r.text, r.start, r.end) for r in finals["eager"]] == [
        (r.text, r.start, r.end) for r in finals["patient"]]
    assert recognizers["eager"].speculations == {"used": 1, "wasted": 0}  # type: ignore[attr-defined]
    assert recognizers["patient"].speculations == {"used": 0, "wasted": 0}  # type: ignore[attr-defined]


def test_a_guess_is_dropped_when_the_caller_goes_on_speaking() -> None:
    settings = Settings().model_copy(update={"asr_speculate_ms": 90, "vad_hangover_ms": 2000})
    engine = load_engine(asr_config(settings, "whisper"))
    a = fixture_audio("s3tokenizer_BAC009S0764W0121.wav")
    b = fixture_audio("wenet_BAC009S0724W0121.wav")
    # About 1.3 s between the voices (room tone + 0.3 s): a guess starts, the 2 s hang-over holds.
    samples = np.concatenate([a, silence(0.3), b, silence(2.5)])
    recognizer = engine.new_recognizer()
    results: list[Transcript] = []
    for i in range(0, len(samples), CHUNK_SAMPLES):
        results += recognizer.accept(samples[i : i + CHUNK_SAMPLES])
    results += recognizer.finish()
    assert len(results) == 1  # one utterance across the short pause
    assert results[0].start < 1.0 and results[0].end > (len(a) + 4800 + 0.8 * len(b)) / 16000
    assert recognizer.speculations["wasted"] >= 1  # type: ignore[attr-defined]
    assert results[0].text.startswith("甚至出现交易")
