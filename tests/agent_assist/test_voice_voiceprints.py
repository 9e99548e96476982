"""Voiceprints of real speakers: same-speaker pairs above the calibrated threshold."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from voice_testkit import SpeakerClip, speaker_clips

from agent_assist.voiceprint import (
    SAME_VOICE_THRESHOLD,
    VOICEPRINT_DIM,
    TooLittleSpeechError,
    Voiceprint,
    VoiceprintEncoder,
    similarity,
)


@pytest.fixture(scope="module")
def encoder() -> VoiceprintEncoder:
    """resemblyzer's encoder, loaded once for this module."""
    return VoiceprintEncoder()


@pytest.fixture(scope="module")
def prints(encoder: VoiceprintEncoder) -> list[tuple[SpeakerClip, Voiceprint]]:
    """Every fixture clip with its voiceprint."""
    return [(clip, encoder.embed(clip.samples)) for clip in speaker_clips()]


def _pairs(
    prints: list[tuple[SpeakerClip, Voiceprint]], same: bool
) -> list[float]:
    return [
        similarity(pa, pb)
        for (a, pa), (b, pb) in itertools.combinations(prints, 2)
        if (a.speaker == b.speaker) == same
    ]


def test_voiceprints_are_unit_vectors(prints: list[tuple[SpeakerClip, Voiceprint]]) -> None:
    for _, voiceprint in prints:
        assert voiceprint.shape == (VOICEPRINT_DIM,)
        assert voiceprint.dtype == np.float32
        assert abs(float(np.linalg.norm(voiceprint)) - 1.0) < 1e-5


def test_same_speaker_scores_above_threshold_and_strangers_below(
    prints: list[tuple[SpeakerClip, Voiceprint]],
) -> None:
    same, different = _pairs(prints, True), _pairs(prints, False)
    assert len(same) == 12 and len(different) == 24
    assert max(different) < SAME_VOICE_THRESHOLD
    assert min(same) > max(different)
    above = sum(score >= SAME_VOICE_THRESHOLD for score in same)
    assert above >= len(same) // 2, f"only {above} of {len(same)} same-speaker pairs matched"


def test_too_little_speech_has_no_voiceprint(encoder: VoiceprintEncoder) -> None:
    with pytest.raises(TooLittleSpeechError):
        encoder.embed(np.zeros(16000 * 3, dtype=np.int16))
