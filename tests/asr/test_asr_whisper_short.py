"""Whisper's short encoder window (callbacks' answers) on real Mandarin recordings."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from asr_testkit import manifest, silence, whisper_engine

from asr.engines import load_engine
from asr.engines.whisper import WhisperEngine
from asr.evaluation import character_error_rate
from asr.transcribe import transcribe_samples
from asr.wavfile import read_audio
from huifang.calls.options import callback_asr_config
from huifang.settings import Settings, asr_config

pytestmark = pytest.mark.slow
WINDOW_S = 10.0


@lru_cache(maxsize=1)
def short_engine() -> WhisperEngine:
    """The configured Whisper model with a 10 s window for utterances up to 8 s."""
    config = replace(asr_config(Settings(), "whisper"), whisper_short_window_s=WINDOW_S)
    engine = load_engine(config)
    assert isinstance(engine, WhisperEngine)
    return engine


@pytest.mark.parametrize("band", ["clean", "tel"])
def test_short_utterances_decode_in_the_short_window_about_as_well(band: str) -> None:
    """Streamed as a call leg is; within 3 characters of the 30 s window on 44 characters."""
    engine = short_engine()
    entries = manifest(band)
    references = [e.reference for e in entries]
    before = dict(engine.short_decodes)
    short = ["".join(t.text for t in transcribe_samples(engine, read_audio(e.path).mono16k()))
             for e in entries]
    tried = {kind: engine.short_decodes[kind] - before[kind] for kind in before}
    # Every utterance tried the short window; one may fall back (a doubtful or cut-off text).
    assert tried["short"] + tried["fallback"] >= len(entries)
    assert tried["short"] >= len(entries) - 1
    full = ["".join(t.text for t in transcribe_samples(whisper_engine(),
                                                       read_audio(e.path).mono16k()))
            for e in entries]
    short_cer = character_error_rate(references, short)
    full_cer = character_error_rate(references, full)
    assert short_cer <= full_cer + 3 / 44, (short, full)


def test_an_utterance_too_long_for_the_window_takes_the_30_s_path() -> None:
    engine = short_engine()
    clips = [read_audio(e.path).mono16k() for e in manifest("clean")]
    long_audio = np.concatenate([c for clip in clips for c in (clip, silence(0.3))])
    assert len(long_audio) / 16000 > WINDOW_S - 2.0
    before = dict(engine.short_decodes)
    text, words = engine.transcribe(long_audio)
    assert engine.short_decodes == before
    references = "".join(e.reference for e in manifest("clean"))
    assert character_error_rate([references], [text]) <= 0.15, text
    assert words[-1].end > WINDOW_S - 2.0


def test_the_short_window_is_off_by_default_and_on_for_callbacks() -> None:
    fields = Settings.model_fields
    assert fields["whisper_short_window_s"].default == 0.0
    assert fields["callback_whisper_short_window_s"].default == WINDOW_S
    assert fields["whisper_short_trust_unlikely"].default is False
    assert fields["callback_whisper_short_trust_unlikely"].default is False


def test_callbacks_retry_a_doubtful_answer_with_one_beam_search_by_default() -> None:
    """Sampling at rising temperatures cost 2-5 s per doubtful answer and changed no corpus
    figure (BENCHMARKS.md): callbacks skip it unless both settings ask for it."""
    assert Settings.model_fields["whisper_short_retry_sampling"].default is True
    assert callback_asr_config(Settings()).whisper_short_retry_sampling is False
    both = Settings(callback_whisper_short_retry_sampling=True)
    assert callback_asr_config(both).whisper_short_retry_sampling is True
    shared_off = Settings(callback_whisper_short_retry_sampling=True,
                          whisper_short_retry_sampling=False)
    assert callback_asr_config(shared_off).whisper_short_retry_sampling is False
    assert asr_config(Settings()).whisper_short_retry_sampling is True


class _RecordingModel:
    """The real model; remembers the temperatures each 30 s decode was allowed."""

    def __init__(self, real: Any) -> None:
        self._real = real
        self.temperatures: list[list[float]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def transcribe(self, *args: Any, **kwargs: Any) -> Any:
        self.temperatures.append(list(kwargs["temperature"]))
        return self._real.transcribe(*args, **kwargs)


@pytest.mark.parametrize("sampling", [True, False])
def test_the_retry_of_a_doubtful_short_text_samples_only_where_configured(
        sampling: bool) -> None:
    engine = short_engine()
    real_model, real_short = engine._model, engine._short
    assert real_short is not None
    recording = _RecordingModel(real_model)
    doubtful = SimpleNamespace(fits=real_short.fits, decode=lambda audio: None,
                               features=real_short.features,
                               decode_features=lambda features: [None] * len(features))
    engine._model, engine._short = recording, doubtful  # type: ignore[assignment]
    engine.options = replace(engine.options, short_retry_sampling=sampling)
    try:
        entry = manifest("clean")[0]
        text, _words = engine.transcribe(read_audio(entry.path).mono16k())
    finally:
        engine._model, engine._short = real_model, real_short
        engine.options = replace(engine.options, short_retry_sampling=True)
    expected = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0] if sampling else [0.0]
    assert recording.temperatures == [expected]
    assert character_error_rate([entry.reference], [text]) <= 0.2, text


class _CutShortModel:
    """The real model, but its beam search stops inside a character's byte-level tokens."""

    def __init__(self, real: Any, tokens: list[int]) -> None:
        self._real, self._tokens = real, tokens

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def generate(self, *args: Any, **kwargs: Any) -> list[Any]:
        result = SimpleNamespace(sequences_ids=[self._tokens], scores=[-0.1], no_speech_prob=0.0)
        return [result]


def test_a_text_cut_inside_a_character_takes_the_30_s_path() -> None:
    model = short_engine()._model
    decoder = short_engine()._short
    assert decoder is not None
    tokenizer = decoder._tokenizer
    tokens = tokenizer.encode("甚至出现交易几乎停滞")
    cut = next(tokens[:n] for n in range(1, len(tokens))
               if tokenizer.decode(tokens[:n]).endswith("\ufffd"))
    assert tokenizer.decode(cut).startswith("甚至")
    whole = next(tokens[:n] for n in range(len(cut), len(tokens) + 1)
                 if "\ufffd" not in tokenizer.decode(tokens[:n]))
    audio = (read_audio(manifest("clean")[0].path).mono16k() / 32768).astype(np.float32)
    decoder._model = SimpleNamespace(model=_CutShortModel(model.model, cut),
                                     feature_extractor=model.feature_extractor)
    try:
        assert decoder.decode(audio) is None
        decoder._model.model._tokens = whole
        decoded = decoder.decode(audio)
        assert decoded is not None and decoded[0] == tokenizer.decode(whole).strip()
    finally:
        decoder._model = model
