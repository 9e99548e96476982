"""Voice identity cues: a leg's voice compared with the policyholder's record (投保人资料)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from agent_assist.events import CueKind, Leg, Severity, VoiceCue
from agent_assist.voice_estimates import (
    AgeBand,
    VoiceGender,
    estimate_age_band,
    estimate_gender,
    shifted_pitch_reasons,
)
from agent_assist.voice_features import VoiceFeatures

# Below this the gender estimate stays silent: the corpus's raised male voices sit at 0.8-0.9.
GENDER_CUE_CONFIDENCE = 0.9
ELDERLY_FROM_AGE = 60
YOUNG_UNTIL_AGE = 40

_GENDER_ZH = {VoiceGender.MALE: "男性", VoiceGender.FEMALE: "女性"}
_BAND_ZH = {AgeBand.YOUNG: "年轻人", AgeBand.MIDDLE: "中年人", AgeBand.ELDERLY: "老年人"}


@dataclass(frozen=True, slots=True)
class PolicyholderRecord:
    """The parts of a policy the voice cues and the duplicate-voice search compare against."""

    policyholder_id: str
    policy_no: str
    gender: VoiceGender
    birth_date: date
    salesperson: str = ""
    team: str = ""
    outlet: str = ""
    branch: str = ""

    def age_on(self, day: date) -> int:
        """Age in whole years on `day`."""
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - int(before_birthday)


def _holder(record: PolicyholderRecord, today: date) -> str:
    return f"投保人为{record.age_on(today)}岁{_GENDER_ZH[record.gender]}"


def gender_cue(
    features: VoiceFeatures, record: PolicyholderRecord, leg: Leg, today: date
) -> VoiceCue | None:
    """A cue when the voice confidently sounds like the other gender than the record's."""
    estimate = estimate_gender(features)
    if estimate.confidence < GENDER_CUE_CONFIDENCE or estimate.gender == record.gender:
        return None
    message = f"声音听起来像{_GENDER_ZH[estimate.gender]}，{_holder(record, today)}，请核实身份"
    return VoiceCue(
        CueKind.GENDER_MISMATCH, Severity.MEDIUM, leg, message, estimate.reasons,
        estimate.confidence,
    )


def age_cue(
    features: VoiceFeatures, record: PolicyholderRecord, leg: Leg, today: date
) -> VoiceCue | None:
    """A cue when the voice's age band contradicts the record's age (young vs elderly only)."""
    estimate = estimate_age_band(features)
    if estimate is None:
        return None
    age = record.age_on(today)
    contradicts = (estimate.band == AgeBand.YOUNG and age >= ELDERLY_FROM_AGE) or (
        estimate.band == AgeBand.ELDERLY and age < YOUNG_UNTIL_AGE
    )
    if not contradicts:
        return None
    message = f"声音听起来像{_BAND_ZH[estimate.band]}，{_holder(record, today)}，请核实身份"
    return VoiceCue(CueKind.AGE_MISMATCH, Severity.LOW, leg, message, estimate.reasons)


def voice_changer_cue(features: VoiceFeatures, leg: Leg) -> VoiceCue | None:
    """A cue when pitch and formants don't fit one natural voice (变声器 suspicion)."""
    reasons = shifted_pitch_reasons(features)
    if not reasons:
        return None
    message = "音高与共振峰不像同一自然嗓音，可能使用了变声处理，请核实身份"
    return VoiceCue(CueKind.VOICE_CHANGER, Severity.MEDIUM, leg, message, reasons)


def voice_cues(
    features: VoiceFeatures, record: PolicyholderRecord, leg: Leg, today: date
) -> list[VoiceCue]:
    """Every identity cue the customer leg's voice gives against the policyholder's record."""
    cues = (
        voice_changer_cue(features, leg),
        gender_cue(features, record, leg, today),
        age_cue(features, record, leg, today),
    )
    return [cue for cue in cues if cue is not None]
