"""Voiceprints (声纹): a resemblyzer speaker embedding per call leg, compared by cosine."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from asr.codec import PIPELINE_RATE, Pcm16

Voiceprint = npt.NDArray[np.float32]
VOICEPRINT_DIM = 256
# Calibrated on same/different-speaker pairs of the real corpus (bench/voiceprint_calibration.py,
# BENCHMARKS.md): the EER point (~0.70-0.73) falsely accepts 1-5 % of stranger pairs, which over
# 100 000 stored prints would be thousands of false hits; 0.80 accepted 0-1 of 327 stranger pairs
# and still finds about two thirds of the same-speaker pairs.
SAME_VOICE_THRESHOLD = 0.80
MIN_SPEECH_S = 1.0


class TooLittleSpeechError(ValueError):
    """The leg has too little speech left after silence trimming to make a voiceprint."""


def similarity(a: Voiceprint, b: Voiceprint) -> float:
    """Cosine similarity of two voiceprints (both unit length, so a dot product)."""
    return float(np.dot(a, b))


class VoiceprintEncoder:
    """resemblyzer's GE2E encoder, loaded once per process (weights ship inside its wheel)."""

    def __init__(self) -> None:
        # Imported here: torch and librosa take a second or two, and only voiceprints need them.
        from resemblyzer import VoiceEncoder

        self._encoder: Any = VoiceEncoder("cpu", verbose=False)

    def embed(self, samples: Pcm16, sample_rate: int = PIPELINE_RATE) -> Voiceprint:
        """The voiceprint of one leg's speech; TooLittleSpeechError under MIN_SPEECH_S."""
        from resemblyzer import preprocess_wav

        if sample_rate != PIPELINE_RATE:
            raise ValueError(f"voiceprints take {PIPELINE_RATE} Hz audio, got {sample_rate} Hz")
        if not np.any(samples):
            # resemblyzer's loudness normalisation divides by the RMS: silence would give NaNs.
            raise TooLittleSpeechError("silent leg")
        wav = preprocess_wav(samples.astype(np.float32) / 32768.0, source_sr=sample_rate)
        if len(wav) < MIN_SPEECH_S * PIPELINE_RATE:
            raise TooLittleSpeechError(f"{len(wav) / PIPELINE_RATE:.2f} s of speech after trimming")
        embedding = np.asarray(self._encoder.embed_utterance(wav), dtype=np.float32)
        return embedding / np.linalg.norm(embedding)
