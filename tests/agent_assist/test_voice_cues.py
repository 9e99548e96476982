"""Gender, age and voice-changer cues on real clips and their pitch-shifted copies."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from voice_testkit import TODAY, clip, clips_of, holder

from agent_assist.events import CueKind, Leg, Severity
from agent_assist.voice_cues import PolicyholderRecord, age_cue, voice_cues
from agent_assist.voice_disguise import psola_pitch_shift, sox_pitch_shift
from agent_assist.voice_estimates import VoiceGender
from agent_assist.voice_features import VoiceFeatures, measure_voice
from asr.codec import Pcm16

MALE_45 = holder(VoiceGender.MALE, 45)
FEMALE_68 = holder(VoiceGender.FEMALE, 68)
FANGJUN = clips_of("srdata_fangjun")


def _kinds(samples: Pcm16, record: PolicyholderRecord) -> set[CueKind]:
    features = measure_voice(samples)
    return {cue.kind for cue in voice_cues(features, record, Leg.CUSTOMER, TODAY)}


def test_labelled_male_voice_raises_no_cue_against_a_male_record() -> None:
    # His raised voice (168-202 Hz) sits in the overlap: the estimate must abstain, not accuse.
    for speaker_clip in FANGJUN:
        assert _kinds(speaker_clip.samples, MALE_45) == set()


def test_pitch_raised_with_formants_kept_reads_as_female_and_as_shifted() -> None:
    changer = 0
    for speaker_clip in FANGJUN:
        features = measure_voice(psola_pitch_shift(speaker_clip.samples, 1.5))
        cues = {c.kind: c for c in voice_cues(features, MALE_45, Leg.CUSTOMER, TODAY)}
        assert cues[CueKind.GENDER_MISMATCH].message == (
            "声音听起来像女性，投保人为45岁男性，请核实身份"
        )
        changer += CueKind.VOICE_CHANGER in cues
    assert changer >= 4, f"voice-changer cue on {changer} of {len(FANGJUN)} shifted clips"


def test_pitch_lowered_copy_against_an_elderly_woman_reads_as_male() -> None:
    for speaker_clip in FANGJUN:
        features = measure_voice(psola_pitch_shift(speaker_clip.samples, 0.6))
        cues = voice_cues(features, FEMALE_68, Leg.CUSTOMER, TODAY)
        mismatch = [c for c in cues if c.kind == CueKind.GENDER_MISMATCH]
        assert [c.message for c in mismatch] == ["声音听起来像男性，投保人为68岁女性，请核实身份"]
        assert mismatch[0].confidence >= 0.9
        assert any("音高中位数" in reason for reason in mismatch[0].reasons)


def test_sox_pitch_shift_raises_a_cue_on_most_clips() -> None:
    raised = sum(bool(_kinds(sox_pitch_shift(c.samples, 700), MALE_45)) for c in FANGJUN)
    assert raised >= 4, f"a cue on {raised} of {len(FANGJUN)} clips shifted up 7 semitones"


def test_deep_voice_against_a_female_record_is_a_medium_cue_on_the_customer_leg() -> None:
    features = measure_voice(clip("srdata_speaker1_a_cn_16k").samples)
    cues = voice_cues(features, FEMALE_68, Leg.CUSTOMER, TODAY)
    assert [(c.kind, c.severity, c.leg) for c in cues] == [
        (CueKind.GENDER_MISMATCH, Severity.MEDIUM, Leg.CUSTOMER)
    ]


def _features() -> VoiceFeatures:
    return VoiceFeatures(
        pitch_median_hz=200.0, pitch_p10_hz=170.0, pitch_p90_hz=240.0, jitter_local=0.025,
        shimmer_local=0.12, hnr_db=10.0, f1_hz=550.0, f2_hz=1700.0, f3_hz=2900.0,
        syllables_per_s=5.0, voiced_s=6.0, speech_s=8.0,
    )


def test_age_cue_only_where_voice_quality_is_far_from_typical() -> None:
    rough = replace(_features(), jitter_local=0.045, shimmer_local=0.18, hnr_db=4.5)
    clear = replace(
        _features(), jitter_local=0.015, shimmer_local=0.07, hnr_db=15.0, syllables_per_s=6.5
    )
    young_holder = holder(VoiceGender.FEMALE, 30)
    cue = age_cue(rough, young_holder, Leg.CUSTOMER, TODAY)
    assert cue is not None and cue.message == "声音听起来像老年人，投保人为30岁女性，请核实身份"
    young_voice = age_cue(clear, FEMALE_68, Leg.CUSTOMER, TODAY)
    assert young_voice is not None and young_voice.message.startswith("声音听起来像年轻人")
    assert age_cue(_features(), young_holder, Leg.CUSTOMER, TODAY) is None
    assert age_cue(rough, FEMALE_68, Leg.CUSTOMER, TODAY) is None
    assert age_cue(replace(rough, voiced_s=2.0), young_holder, Leg.CUSTOMER, TODAY) is None


def test_age_is_counted_from_the_birthday() -> None:
    record = replace(MALE_45, birth_date=date(1958, 11, 23))
    assert record.age_on(date(2026, 11, 22)) == 67
    assert record.age_on(date(2026, 11, 23)) == 68
