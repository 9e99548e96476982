"""Recordings' temperature fallback is seeded per utterance: the same file, the same text."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from asr_testkit import fixture_audio, silence, whisper_engine

from asr.codec import pcm16_to_float
from asr.engines.whisper import WhisperEngine, WhisperOptions
from asr.engines.whisper_seeded import SeededSampling, audio_seed
from asr.transcribe import transcribe_file
from asr.wavfile import write_wav
from huifang.settings import Settings

SAMPLED = {"beam_size": 1, "num_hypotheses": 5, "sampling_topk": 0, "sampling_temperature": 0.4}
BEAM = {"beam_size": 5, "patience": 1.0}


@dataclass
class _Ct2Like:
    """Samples as CTranslate2 does: its worker's generator is seeded once, at its first sample.

    `seed` is the process-wide seed (`set_random_seed`); None draws a random one.
    """

    name: str
    log: list[tuple[str, Any]]
    seed: list[int | None]
    _rng: random.Random | None = field(default=None, init=False)

    def generate(self, features: Any, prompts: Any, **kwargs: Any) -> str:
        if "sampling_temperature" not in kwargs:
            self.log.append(("beam", self.name))
            return f"beam:{features}"
        if self._rng is None:
            self._rng = random.Random(self.seed[0])
        self.log.append(("sample", self.name))
        return f"sample:{self._rng.randrange(1 << 30)}"


class _Fakes:
    """A shared model and the samplers built beside it, logging what runs where."""

    def __init__(self) -> None:
        self.log: list[tuple[str, Any]] = []
        self.seed: list[int | None] = [None]
        self.shared = _Ct2Like("shared", self.log, self.seed)
        self.built = 0

    def make_sampler(self) -> _Ct2Like:
        self.built += 1
        return _Ct2Like(f"sampler{self.built}", self.log, self.seed)

    def set_seed(self, seed: int) -> None:
        self.log.append(("seed", seed))
        self.seed[0] = seed

    def wrapped(self) -> SeededSampling:
        return SeededSampling(self.shared, self.make_sampler, self.set_seed)


def _utterance(sampling: SeededSampling, audio: np.ndarray, retries: int = 2) -> list[str]:
    """One decode as faster-whisper does it: a beam search, then sampled retries."""
    with sampling.utterance(audio):
        return [sampling.generate("enc", [[1]], **BEAM)] + [
            sampling.generate("enc", [[1]], **SAMPLED) for _ in range(retries)]


def test_the_seed_is_set_before_each_utterances_first_sample() -> None:
    fakes = _Fakes()
    sampling = fakes.wrapped()
    a, b = np.arange(100, dtype=np.int16), np.arange(1, 101, dtype=np.int16)
    _utterance(sampling, a)
    _utterance(sampling, b)
    assert fakes.log == [
        ("beam", "shared"), ("seed", audio_seed(a)), ("sample", "sampler1"),
        ("sample", "sampler1"),
        ("beam", "shared"), ("seed", audio_seed(b)), ("sample", "sampler2"),
        ("sample", "sampler2"),
    ]
    assert sampling.samplers_built == 2


def test_outside_an_utterance_nothing_changes() -> None:
    fakes = _Fakes()
    sampling = fakes.wrapped()
    sampling.generate("enc", [[1]], **SAMPLED)
    sampling.generate("enc", [[1]], **BEAM)
    assert fakes.log == [("sample", "shared"), ("beam", "shared")]
    assert fakes.built == 0


def test_a_decode_that_never_samples_builds_no_sampler() -> None:
    fakes = _Fakes()
    assert _utterance(fakes.wrapped(), np.zeros(10, dtype=np.int16), retries=0) == ["beam:enc"]
    assert fakes.built == 0


def test_the_same_audio_samples_the_same_whatever_ran_before_or_beside() -> None:
    audio = np.arange(500, dtype=np.int16)
    others = [np.full(300, n, dtype=np.int16) for n in range(6)]

    def alone() -> list[str]:
        return _utterance(_Fakes().wrapped(), audio)

    def after_others_on_threads() -> list[str]:
        sampling = _Fakes().wrapped()
        threads = [threading.Thread(target=_utterance, args=(sampling, o)) for o in others]
        for t in threads:
            t.start()
        mine = _utterance(sampling, audio)
        for t in threads:
            t.join()
        return mine

    assert alone() == after_others_on_threads() == alone()
    # Without it, the shared model's generator goes on from wherever it was.
    bare = _Fakes()
    bare.seed[0] = 1
    first = [bare.shared.generate("enc", [[1]], **SAMPLED) for _ in range(2)]
    again = [bare.shared.generate("enc", [[1]], **SAMPLED) for _ in range(2)]
    assert first != again


def test_real_ctranslate2_sampling_is_reproducible_only_when_seeded() -> None:
    engine = whisper_engine()
    assert isinstance(engine, WhisperEngine)
    model: Any = engine._model  # faster-whisper's WhisperModel, its .model the SeededSampling
    rng = np.random.default_rng(3)
    speech = fixture_audio("wenet_BAC009S0724W0121.wav")
    noisy = np.clip(speech + rng.normal(0, 1600, len(speech)), -32768, 32767).astype(np.int16)

    def sampled() -> str:  # temperature 1.0 only: every decode samples
        segments, _ = model.transcribe(
            pcm16_to_float(noisy), temperature=[1.0], language="zh", without_timestamps=True,
            condition_on_previous_text=False, vad_filter=False, no_speech_threshold=None,
            log_prob_threshold=None)
        return "".join(s.text for s in segments)

    def seeded() -> str:
        with engine._sampling.utterance(noisy):
            return sampled()

    first = seeded()
    for _ in range(2):
        sampled()  # moves the shared workers' generators on
    assert first and seeded() == first == seeded()


def test_the_same_file_gives_the_same_text_when_every_decode_samples(tmp_path: Path) -> None:
    path = tmp_path / "twice.wav"
    rng = np.random.default_rng(11)
    speech = np.concatenate([fixture_audio("s3tokenizer_BAC009S0764W0121.wav"), silence(0.6),
                             fixture_audio("funasr_asr_example.wav")])
    noisy = np.clip(speech + rng.normal(0, 300, len(speech)), -32768, 32767).astype(np.int16)
    write_wav(path, np.concatenate([silence(0.3), noisy, silence(0.5)]), 16000)
    # Any text is "too repetitive" at ratio 0: every utterance runs all five sampled retries,
    # and the likeliest of the six decodes wins — a sampled one as often as not.
    model = Settings().whisper_model
    engine = WhisperEngine(model, WhisperOptions(compression_ratio_threshold=0.0),
                           speculate_ms=150)
    runs = [transcribe_file(engine, path) for _ in range(2)]
    assert engine.samplers_built >= 2 and engine.samplers_built % 2 == 0  # per run, the same
    assert runs[0].text and runs[0].text == runs[1].text
    assert [(s.text, s.start, s.end) for s in runs[0].segments] == [
        (s.text, s.start, s.end) for s in runs[1].segments]
