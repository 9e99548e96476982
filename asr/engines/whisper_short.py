"""Whisper on a short encoder window, for short utterances such as a callback's answers.

faster-whisper always pads the encoder's input to 30 s (3000 mel frames), and the encoder's
cost grows faster than its input: a 1 s answer pays for 30 s (0.7 CPU-s of encoder here, 0.1
with a 10 s window). CTranslate2's Whisper accepts a shorter input, so an utterance that fits
in `window_s` with `margin_s` of silence to spare is encoded in that window and decoded with the
same beam search. Where faster-whisper would retry at a higher temperature (text too repetitive
or too unlikely), or the text runs to the token cap or ends inside a character, it gives None
and the caller decodes the usual way.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from asr.codec import PIPELINE_RATE

MEL_FRAMES_PER_S = 100
TOKENS_PER_S = 12  # Mandarin runs at 4-6 characters a second; more is a runaway
MIN_AVG_LOGPROB = -1.0  # faster-whisper's own threshold for a retry
NO_SPEECH_PROB = 0.6  # with a low log-probability: silence, as faster-whisper decides


class ShortWindowDecoder:
    """Decodes utterances that fit a short window; None for anything doubtful."""

    def __init__(self, model: Any, window_s: float, margin_s: float, beam_size: int,
                 patience: float, language: str, repetition_penalty: float,
                 compression_ratio_threshold: float, trust_unlikely: bool = False) -> None:
        from faster_whisper.tokenizer import Tokenizer
        from faster_whisper.transcribe import get_suppressed_tokens

        self._model = model
        self.window_s = window_s
        self.margin_s = margin_s
        self._beam = {"beam_size": beam_size, "patience": patience}
        self._repetition_penalty = repetition_penalty
        self._max_ratio = compression_ratio_threshold
        # True: an unlikely text is kept rather than re-decoded on the 30 s path with
        # faster-whisper's temperature retries (up to six decodes: seconds on a busy machine).
        self._trust_unlikely = trust_unlikely
        self._tokenizer = Tokenizer(model.hf_tokenizer, model.model.is_multilingual,
                                    task="transcribe", language=language)
        self._prompt = [*self._tokenizer.sot_sequence, self._tokenizer.no_timestamps]
        self._suppress = get_suppressed_tokens(self._tokenizer, (-1,))
        self._max_length = len(self._prompt) + int(TOKENS_PER_S * window_s)

    def fits(self, samples: int) -> bool:
        """Whether an utterance of this many 16 kHz samples is short enough."""
        return samples / PIPELINE_RATE + self.margin_s <= self.window_s

    def decode(self, audio: npt.NDArray[np.float32]) -> tuple[str, float] | None:
        """Text and average log-probability, or None when the result should not be trusted.

        One beam search, as faster-whisper's first attempt; where faster-whisper would retry at
        a higher temperature (text too repetitive or too unlikely) this gives None, so doubtful
        audio gets exactly the usual decoding. Silence is judged as faster-whisper does.
        """
        return self.decode_batch([audio])[0]

    def decode_batch(self, audios: Sequence[npt.NDArray[np.float32]]
                     ) -> list[tuple[str, float] | None]:
        """`decode` of several utterances at once: one encoder pass, one batched beam search."""
        return self.decode_features([self.features(audio) for audio in audios])

    def features(self, audio: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """An utterance's log-mel features in the window (made by the caller's thread)."""
        from faster_whisper.audio import pad_or_trim

        frames = int(self.window_s * MEL_FRAMES_PER_S)
        # faster-whisper drops the last frame too (its `content_frames`)
        features = pad_or_trim(self._model.feature_extractor(audio)[:, :-1], frames)
        return np.ascontiguousarray(features, dtype=np.float32)

    def decode_features(self, features: Sequence[npt.NDArray[np.float32]]
                        ) -> list[tuple[str, float] | None]:
        """`decode_batch` of utterances whose features are made already."""
        import ctranslate2

        encoded = self._model.model.encode(
            ctranslate2.StorageView.from_array(np.stack(features)), to_cpu=False)
        results = self._model.model.generate(
            encoded, [self._prompt] * len(features), max_length=self._max_length,
            return_scores=True, return_no_speech_prob=True,
            repetition_penalty=self._repetition_penalty, suppress_blank=True,
            suppress_tokens=self._suppress, **self._beam)
        return [self._judge(result) for result in results]

    def _judge(self, result: Any) -> tuple[str, float] | None:
        """One utterance's beam search result → its text, or None if doubtful."""
        tokens = result.sequences_ids[0]
        avg_logprob = float(result.scores[0]) * len(tokens) / (len(tokens) + 1)
        text = str(self._tokenizer.decode(tokens)).strip()
        if avg_logprob < MIN_AVG_LOGPROB and result.no_speech_prob > NO_SPEECH_PROB:
            return "", avg_logprob
        unlikely = avg_logprob < MIN_AVG_LOGPROB and not self._trust_unlikely
        # A text that stops inside a character (its last byte-level tokens never came: seen
        # as 甚至出现交易\ufffd on a telephone-band clip) was cut short: decode it the usual way.
        broken = "\ufffd" in text
        if (len(self._prompt) + len(tokens) >= self._max_length or unlikely or broken
                or _compression_ratio(text) > self._max_ratio):
            return None
        return text, avg_logprob


def _compression_ratio(text: str) -> float:
    """faster-whisper's repetitiveness measure: bytes over zlib-compressed bytes."""
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0
