"""Praat voice features on real speech: plausible pitch, formants, perturbation, speaking rate."""

from __future__ import annotations

import numpy as np
import pytest
from voice_testkit import clip, clips_of

from agent_assist.voice_features import VoiceMeasurementError, measure_voice
from asr.codec import Pcm16, resample, ulaw_decode, ulaw_encode


def _telephone(samples: Pcm16) -> Pcm16:
    narrow = resample(samples, 16000, 8000)
    return resample(ulaw_decode(ulaw_encode(narrow)), 8000, 16000)


@pytest.mark.parametrize("name", [c.name for c in clips_of("srdata_fangjun")])
def test_known_male_speaker_measures_in_plausible_ranges(name: str) -> None:
    features = measure_voice(clip(name).samples)
    # An adult male's running speech: this speaker talks in a raised voice (median 168-202 Hz).
    assert 85 <= features.pitch_median_hz <= 250
    assert features.pitch_p10_hz < features.pitch_median_hz < features.pitch_p90_hz
    assert 1.0 < features.pitch_range_semitones < 24.0
    assert 250 < features.f1_hz < features.f2_hz < features.f3_hz < 4000
    assert 0.0 < features.jitter_local < 0.1
    assert 0.0 < features.shimmer_local < 0.3
    assert 0.0 < features.hnr_db < 30.0
    assert 2.0 < features.syllables_per_s < 10.0
    assert not features.narrowband


def test_deep_voice_measures_low_pitch() -> None:
    for speaker_clip in clips_of("srdata_3dspeaker_speaker1"):
        assert measure_voice(speaker_clip.samples).pitch_median_hz < 130


def test_telephone_leg_is_detected_and_formants_stay_close() -> None:
    samples = clip("srdata_fangjun-test-sr-1").samples
    wide = measure_voice(samples)
    narrow = measure_voice(_telephone(samples))
    assert narrow.narrowband
    assert abs(narrow.pitch_median_hz - wide.pitch_median_hz) < 5
    assert abs(narrow.f1_hz - wide.f1_hz) / wide.f1_hz < 0.15
    assert abs(narrow.f2_hz - wide.f2_hz) / wide.f2_hz < 0.15


def test_silence_is_refused_with_a_reason() -> None:
    with pytest.raises(VoiceMeasurementError, match="voiced speech"):
        measure_voice(np.zeros(16000 * 2, dtype=np.int16))
