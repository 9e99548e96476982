"""What a leg's voice features suggest: gender with a confidence, an age band, a shifted pitch.

The figures come from the phonetics literature (adult F0 crossover near 165 Hz, formant spacing
about 1000 Hz for men and 1150 Hz for women), not from training: the labelled corpus is far too
small to fit anything. Where the features sit in the overlap the estimate abstains.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from agent_assist.voice_features import VoiceFeatures

GENDER_PITCH_CROSSOVER_HZ = 165.0
# Log-odds per semitone away from the crossover: 200 Hz alone gives 0.85, under the cue level.
GENDER_LOGIT_PER_SEMITONE = 0.52
GENDER_SPACING_CROSSOVER_HZ = 1090.0
GENDER_LOGIT_PER_SPACING_HZ = 0.01
# Pitch in the clearly female range over a clearly male vocal tract (or the reverse): what a
# pitch shifter that keeps the formants (PSOLA, most phone voice changers) leaves behind.
SHIFTED_UP_PITCH_HZ = 250.0
SHIFTED_UP_MAX_SPACING_HZ = 1060.0
SHIFTED_DOWN_PITCH_HZ = 100.0
SHIFTED_DOWN_MIN_SPACING_HZ = 1150.0
MIN_VOICED_FOR_AGE_S = 3.0


class VoiceGender(StrEnum):
    """The gender a voice sounds like (matches storage's Gender values)."""

    MALE = "male"
    FEMALE = "female"


class AgeBand(StrEnum):
    """Coarse age bands a voice can hint at."""

    YOUNG = "young"
    MIDDLE = "middle"
    ELDERLY = "elderly"


@dataclass(frozen=True, slots=True)
class GenderEstimate:
    """The likelier gender and how likely it is (0.5 = no idea, 1.0 = certain)."""

    gender: VoiceGender
    confidence: float
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AgeEstimate:
    """An age band the voice quality supports, with the measurements behind it."""

    band: AgeBand
    reasons: tuple[str, ...]


def estimate_gender(features: VoiceFeatures) -> GenderEstimate:
    """Logistic combination of median pitch and formant spacing (female is positive)."""
    semitones = 12.0 * math.log2(features.pitch_median_hz / GENDER_PITCH_CROSSOVER_HZ)
    logit = GENDER_LOGIT_PER_SEMITONE * semitones
    spacing = features.formant_spacing_hz
    if math.isfinite(spacing):
        logit += GENDER_LOGIT_PER_SPACING_HZ * (spacing - GENDER_SPACING_CROSSOVER_HZ)
    p_female = 1.0 / (1.0 + math.exp(-logit))
    gender = VoiceGender.FEMALE if p_female >= 0.5 else VoiceGender.MALE
    reasons = (f"音高中位数{features.pitch_median_hz:.0f}Hz", f"共振峰间距{spacing:.0f}Hz")
    return GenderEstimate(gender, max(p_female, 1.0 - p_female), reasons)


def estimate_age_band(features: VoiceFeatures) -> AgeEstimate | None:
    """An age band only where voice quality is far from typical; None otherwise (most voices)."""
    if features.voiced_s < MIN_VOICED_FOR_AGE_S:
        return None
    jitter, shimmer = features.jitter_local * 100, features.shimmer_local * 100
    hnr = features.hnr_db
    measured = (f"频率微扰{jitter:.1f}%", f"振幅微扰{shimmer:.1f}%", f"谐噪比{hnr:.1f}dB")
    # Running speech measures far rougher than the sustained vowels of clinical norms, so these
    # limits sit at the edges of what the corpus's adult voices show, not at the clinical ones.
    if jitter > 3.5 and shimmer > 15.0 and hnr < 6.0:
        return AgeEstimate(AgeBand.ELDERLY, (*measured, "嗓音粗糙、气息声重"))
    if jitter < 2.0 and shimmer < 9.0 and hnr > 13.0 and features.syllables_per_s > 5.0:
        return AgeEstimate(AgeBand.YOUNG, (*measured, "嗓音清亮、语速快"))
    return None


def shifted_pitch_reasons(features: VoiceFeatures) -> tuple[str, ...]:
    """Why pitch and formants don't fit one natural voice; empty when they do."""
    pitch, spacing = features.pitch_median_hz, features.formant_spacing_hz
    if not math.isfinite(spacing):
        return ()
    if pitch >= SHIFTED_UP_PITCH_HZ and spacing <= SHIFTED_UP_MAX_SPACING_HZ:
        return (f"音高{pitch:.0f}Hz属女声/童声范围", f"共振峰间距{spacing:.0f}Hz却像成年男性声道")
    if pitch <= SHIFTED_DOWN_PITCH_HZ and spacing >= SHIFTED_DOWN_MIN_SPACING_HZ:
        return (f"音高{pitch:.0f}Hz属低沉男声", f"共振峰间距{spacing:.0f}Hz却像女性或儿童声道")
    return ()
