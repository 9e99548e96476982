"""Recordings voted across contexts on the real Whisper model and real Mandarin."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from asr_testkit import fixture_audio, silence, whisper_engine

from asr.engines.base import ContextVoting
from asr.transcribe import transcribe_file
from asr.wavfile import write_wav

CONTEXTS = ((300, 300), (500, 500))


def two_sentences(path: Path, tail_s: float) -> Path:
    """Two fixture sentences 0.6 s apart, the second `tail_s` before the end (a hang-up)."""
    speech = np.concatenate([fixture_audio("s3tokenizer_BAC009S0764W0121.wav"), silence(0.6),
                             fixture_audio("funasr_asr_example.wav")])
    write_wav(path, np.concatenate([silence(0.4), speech, silence(tail_s)]), 16000)
    return path


def test_the_engine_votes_only_when_contexts_are_asked_for() -> None:
    engine = whisper_engine()
    assert isinstance(engine, ContextVoting)
    assert engine.recording_contexts == ()  # the shipped default: one decode


def test_voted_text_keeps_both_sentences_and_repeats(tmp_path: Path) -> None:
    path = two_sentences(tmp_path / "call.wav", tail_s=0.05)
    runs = [transcribe_file(whisper_engine(), path, contexts=CONTEXTS) for _ in range(2)]
    assert "交易" in runs[0].text and "语音识别" in runs[0].text  # the ending before hang-up
    assert runs[0].text == runs[1].text
    assert [(s.start, s.end) for s in runs[0].segments] == [
        (s.start, s.end) for s in transcribe_file(whisper_engine(), path).segments]
