"""Accuracy on the real Mandarin fixture recordings, clean and telephone band."""

from __future__ import annotations

import pytest
from asr_testkit import manifest, whisper_engine

from asr.evaluation import character_error_rate
from asr.transcribe import transcribe_file

# Bounds the engine meets with margin on these clips (measured: see BENCHMARKS.md); the
# whole-corpus figures against the targets are measured by bench/asr_accuracy.py.
BOUNDS = {"clean": 0.12, "tel": 0.20}


@pytest.mark.parametrize("band", ["clean", "tel"])
def test_character_error_rate_within_bound(band: str) -> None:
    entries = manifest(band)
    assert len(entries) == 3
    hypotheses = [transcribe_file(whisper_engine(), e.path).text for e in entries]
    cer = character_error_rate([e.reference for e in entries], hypotheses)
    assert cer <= BOUNDS[band], list(zip([e.reference for e in entries], hypotheses, strict=True))


def test_scoring_normalises_before_comparing() -> None:
    assert character_error_rate(["本节目由26年专注"], ["本節目由二十六年專注。"]) == 0.0
    assert character_error_rate(["呃还有一个"], ["还有一个"]) == 0.0
    assert character_error_rate(["你好"], [""]) == 1.0
    assert character_error_rate(["保本保息"], ["报本保溪"]) == 0.5
