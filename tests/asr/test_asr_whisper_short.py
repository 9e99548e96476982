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
