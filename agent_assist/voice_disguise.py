"""Simulated voice changers for evaluation: pitch shifted with and without the formants."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import parselmouth
from parselmouth.praat import call

from asr.codec import PIPELINE_RATE, Pcm16

_RAW16 = ["-t", "raw", "-r", str(PIPELINE_RATE), "-e", "signed", "-b", "16", "-c", "1"]


def sox_pitch_shift(samples: Pcm16, cents: int) -> Pcm16:
    """sox `pitch` (time-stretch + resample): the whole spectrum moves, formants included."""
    sox = shutil.which("sox")
    if sox is None:
        raise RuntimeError("sox is not installed (bin/setup installs it)")
    result = subprocess.run(
        [sox, *_RAW16, "-", *_RAW16, "-", "pitch", str(cents)],
        input=samples.astype("<i2").tobytes(), capture_output=True, check=True,
    )
    return np.frombuffer(result.stdout, dtype="<i2").astype(np.int16)


def psola_pitch_shift(samples: Pcm16, factor: float) -> Pcm16:
    """Praat PSOLA (Change gender, formant ratio 1): pitch times `factor`, formants kept."""
    sound = parselmouth.Sound(samples.astype(np.float64) / 32768.0, PIPELINE_RATE)
    median = call(sound.to_pitch(), "Get quantile", 0, 0, 0.5, "Hertz")
    changed = call(sound, "Change gender", 75, 600, 1.0, median * factor, 1.0, 1.0)
    shifted: Pcm16 = (np.clip(changed.values[0], -1.0, 1.0) * 32767).astype(np.int16)
    return shifted
