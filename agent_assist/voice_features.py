"""Praat voice features of one call leg: pitch, jitter, shimmer, HNR, formants, speaking rate."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import parselmouth
from parselmouth.praat import call

from asr.codec import PIPELINE_RATE, Pcm16

# Wide pitch search so a shifted voice is still measured rather than lost as unvoiced.
PITCH_FLOOR_HZ = 60.0
PITCH_CEILING_HZ = 500.0
# Praat's usual formant ceiling between a male (5000) and a female (5500) voice: one setting for
# every leg keeps the formants comparable, which the voice-changer cue relies on.
FORMANT_CEILING_HZ = 5250.0
# A telephone leg (G.711, 8 kHz) has nothing above 4 kHz: searching five formants under 5250 Hz
# then squeezes F2/F3 down by 10-25 %; four under 4200 Hz tracks the wideband values (corpus).
NARROWBAND_FORMANT_CEILING_HZ = 4200.0
NARROWBAND_EDGE_HZ = 4000.0
NARROWBAND_ENERGY_FRACTION = 0.001
MIN_VOICED_S = 0.5


class VoiceMeasurementError(ValueError):
    """The leg holds too little voiced speech to measure (silence, noise, a few words)."""


@dataclass(frozen=True, slots=True)
class VoiceFeatures:
    """What Praat measures of one leg's voice; frequencies in Hz, jitter/shimmer as fractions."""

    pitch_median_hz: float
    pitch_p10_hz: float
    pitch_p90_hz: float
    jitter_local: float
    shimmer_local: float
    hnr_db: float
    f1_hz: float
    f2_hz: float
    f3_hz: float
    syllables_per_s: float
    voiced_s: float
    speech_s: float
    narrowband: bool = False

    @property
    def pitch_range_semitones(self) -> float:
        """The spread between the 10th and 90th pitch percentiles, in semitones."""
        return 12.0 * math.log2(self.pitch_p90_hz / self.pitch_p10_hz)

    @property
    def formant_spacing_hz(self) -> float:
        """Average formant spacing ΔF (a uniform-tube fit of F1-F3): inverse to tract length."""
        return (self.f1_hz / 0.5 + self.f2_hz / 1.5 + self.f3_hz / 2.5) / 3.0


def measure_voice(samples: Pcm16, sample_rate: int = PIPELINE_RATE) -> VoiceFeatures:
    """Measure a leg's voice (16 kHz mono PCM16); VoiceMeasurementError if too little speech."""
    sound = parselmouth.Sound(samples.astype(np.float64) / 32768.0, sampling_frequency=sample_rate)
    pitch = sound.to_pitch_ac(pitch_floor=PITCH_FLOOR_HZ, pitch_ceiling=PITCH_CEILING_HZ)
    f0 = pitch.selected_array["frequency"]
    voiced = f0[f0 > 0]
    voiced_s = len(voiced) * pitch.time_step
    if voiced_s < MIN_VOICED_S:
        raise VoiceMeasurementError(f"only {voiced_s:.2f} s of voiced speech")
    p10, median, p90 = (float(v) for v in np.percentile(voiced, [10, 50, 90]))
    jitter, shimmer = _perturbation(sound)
    narrowband = is_narrowband(samples, sample_rate)
    f1, f2, f3 = _voiced_formants(sound, pitch, narrowband)
    syllables, speech_s = _syllable_nuclei(sound, pitch)
    return VoiceFeatures(
        pitch_median_hz=median, pitch_p10_hz=p10, pitch_p90_hz=p90,
        jitter_local=jitter, shimmer_local=shimmer, hnr_db=_hnr(sound),
        f1_hz=f1, f2_hz=f2, f3_hz=f3,
        syllables_per_s=syllables / speech_s if speech_s else 0.0,
        voiced_s=voiced_s, speech_s=speech_s, narrowband=narrowband,
    )


def is_narrowband(samples: Pcm16, sample_rate: int) -> bool:
    """Whether the audio carries (almost) nothing above 4 kHz, as a telephone leg does."""
    power = np.abs(np.fft.rfft(samples.astype(np.float64))) ** 2
    freqs = np.fft.rfftfreq(len(samples), 1.0 / sample_rate)
    total = float(power.sum())
    return total == 0.0 or float(power[freqs > NARROWBAND_EDGE_HZ].sum()) / total < (
        NARROWBAND_ENERGY_FRACTION
    )


def _perturbation(sound: parselmouth.Sound) -> tuple[float, float]:
    """Local jitter and shimmer with Praat's standard voice-report settings."""
    points = call(sound, "To PointProcess (periodic, cc)", PITCH_FLOOR_HZ, PITCH_CEILING_HZ)
    jitter = call(points, "Get jitter (local)", 0, 0, 0.0001, 0.02, 1.3)
    shimmer = call([sound, points], "Get shimmer (local)", 0, 0, 0.0001, 0.02, 1.3, 1.6)
    return _finite(jitter), _finite(shimmer)


def _hnr(sound: parselmouth.Sound) -> float:
    """Mean harmonics-to-noise ratio over the frames Praat finds periodic."""
    # Praat's voice-report floor (75 Hz), not the pitch search floor: a third faster, same use.
    harmonicity = sound.to_harmonicity_cc(time_step=0.01, minimum_pitch=75.0)
    values = harmonicity.values[harmonicity.values > -100]  # -200 marks unvoiced frames
    return float(values.mean()) if values.size else 0.0


def _voiced_formants(
    sound: parselmouth.Sound, pitch: parselmouth.Pitch, narrowband: bool
) -> tuple[float, ...]:
    """Median F1-F3 over voiced frames (Burg), where vowels carry the tract's resonances."""
    if narrowband:
        formant = sound.to_formant_burg(
            time_step=0.01, max_number_of_formants=4, maximum_formant=NARROWBAND_FORMANT_CEILING_HZ
        )
    else:
        formant = sound.to_formant_burg(time_step=0.01, maximum_formant=FORMANT_CEILING_HZ)
    voiced = _voiced_at(pitch, np.asarray(formant.xs()))
    medians = []
    for number in (1, 2, 3):
        track = np.asarray(call(formant, "To Matrix", number).values[0])[voiced]
        track = track[np.isfinite(track) & (track > 0)]
        medians.append(float(np.median(track)) if track.size else math.nan)
    return tuple(medians)


def _voiced_at(pitch: parselmouth.Pitch, times: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
    """Whether the pitch frame nearest each time is voiced."""
    f0 = pitch.selected_array["frequency"]
    nearest = np.clip(np.round((times - pitch.x1) / pitch.dx).astype(int), 0, len(f0) - 1)
    return np.asarray(f0[nearest] > 0)


def _syllable_nuclei(sound: parselmouth.Sound, pitch: parselmouth.Pitch) -> tuple[int, float]:
    """Syllables (de Jong & Wempe 2009): voiced intensity peaks standing out from their dips."""
    intensity = sound.to_intensity(minimum_pitch=50.0, time_step=0.01)
    db = intensity.values[0]
    times = intensity.xs()
    # De Jong's defaults: speech is within 25 dB of the loudest frames; a nucleus also stands
    # above the median, which keeps breaths and consonant bursts out.
    silence_db = float(np.percentile(db, 99)) - 25.0
    speech_s = float(np.count_nonzero(db > silence_db)) * intensity.time_step
    threshold = max(silence_db, float(np.median(db)))
    peaks = _peaks(db)
    count, last_kept = 0, -1
    for i in peaks:
        if db[i] <= threshold or not pitch.get_value_at_time(times[i]) > 0:
            continue
        dip = db[last_kept:i + 1].min() if last_kept >= 0 else -math.inf
        if last_kept < 0 or db[i] - dip >= 2.0:
            count += 1
            last_kept = i
        elif db[i] > db[last_kept]:
            last_kept = i  # same syllable, higher peak: measure the next dip from here
    return count, speech_s


def _peaks(values: npt.NDArray[np.float64]) -> list[int]:
    """Indices of local maxima."""
    inner = (values[1:-1] > values[:-2]) & (values[1:-1] >= values[2:])
    return [int(i) + 1 for i in np.flatnonzero(inner)]


def _finite(value: object) -> float:
    number = float(value)  # type: ignore[arg-type]
    return number if math.isfinite(number) else 0.0
