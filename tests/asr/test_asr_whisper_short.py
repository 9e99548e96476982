"""Whisper's short encoder window (callbacks' answers) on real Mandarin recordings."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

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
    assert engine.short_decodes["short"] - before["short"] >= len(entries)
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
