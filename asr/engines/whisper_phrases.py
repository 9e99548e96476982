"""Forced scoring: how likely the Whisper model finds given texts for one short utterance.

A closed-vocabulary second listen. A free decode of a one-word answer through the phone band
often lands on a near-homophone (是的 → 去等, 对头 → 碎头); scoring the answers a question
expects, and the text that was heard, against the same audio with the same model says whether
one of them was in fact more likely. Each text is fed to the decoder after the start sequence
(teacher forcing, all texts in one batched call): its score is the sum of the log-probabilities
of its tokens and of the end-of-text after them, so a short text that is only the start of what
was said does not win by being short. Whisper writes Chinese in either script, so a text scores
as the likelier of its simplified and traditional spellings.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from asr.codec import PIPELINE_RATE
from zhtext import to_traditional

MEL_FRAMES_PER_S = 100
# The decoder attends to every encoded frame once per scored text, so the window is the
# cost: the smallest of these that holds the utterance and `margin_s` of silence. (A window
# cut to the utterance itself skews the scores: measured, BENCHMARKS.md.)
WINDOWS_S = (5.0, 10.0, 30.0)
# A text whose first token is this much less likely than the likeliest first token of any text
# cannot catch up (every later token only lowers its score): it is not scored in full, which
# saves most of the decoder rows.
FIRST_TOKEN_SLACK = 8.0


class PhraseScorer:
    """Scores candidate texts against an utterance with a loaded faster-whisper model."""

    def __init__(self, model: Any, language: str = "zh", margin_s: float = 2.0) -> None:
        from faster_whisper.tokenizer import Tokenizer

        self._model = model
        self._tokenizer = Tokenizer(model.hf_tokenizer, model.model.is_multilingual,
                                    task="transcribe", language=language)
        self._start = [*self._tokenizer.sot_sequence, self._tokenizer.no_timestamps]
        self.margin_s = margin_s

    def score(self, audio: npt.NDArray[np.float32], texts: Sequence[str]) -> list[float]:
        """Log-likelihood of each text given the audio, in its likelier script."""
        if not texts:
            return []
        spellings = [(index, self._tokenizer.encode(form)) for index, text in enumerate(texts)
                     for form in dict.fromkeys((text, to_traditional(text)))]
        encoded = self._encode(audio)
        first = self._first_token_logprobs(encoded)
        top = max(first[tokens[0]] for _, tokens in spellings if tokens)
        kept = [(index, tokens) for index, tokens in spellings
                if tokens and first[tokens[0]] >= top - FIRST_TOKEN_SLACK]
        scored = self._score_tokens(encoded, [tokens for _, tokens in kept])
        best = [-np.inf] * len(texts)
        for (index, _tokens), value in zip(kept, scored, strict=True):
            best[index] = max(best[index], value)
        return [float(value) for value in best]

    def _first_token_logprobs(self, encoded: Any) -> npt.NDArray[np.float64]:
        """Log-probability of every token as the first of the text (one decoder row)."""
        result = self._model.model.generate(
            encoded, [self._start], beam_size=1, max_length=len(self._start) + 2,
            return_logits_vocab=True, suppress_blank=False, suppress_tokens=[])[0]
        row: npt.NDArray[np.float64] = np.asarray(result.logits[0][0], dtype=np.float64)
        peak = float(row.max())
        shifted: npt.NDArray[np.float64] = row - peak
        return shifted - float(np.log(np.exp(shifted).sum()))

    def _score_tokens(self, encoded: Any, token_lists: list[list[int]]) -> list[float]:
        if not token_lists:
            return []
        longest = max(len(tokens) for tokens in token_lists)
        results = self._model.model.generate(
            _repeat(encoded, len(token_lists)), [self._start + t for t in token_lists],
            beam_size=1,
            # How CTranslate2 counts the forced tokens against max_length varies with their
            # number: leave room enough for a step after the longest text (its end-of-text).
            max_length=2 * (len(self._start) + longest) + 2, return_logits_vocab=True,
            suppress_blank=False, suppress_tokens=[])
        return [self._loglikelihood(tokens, result.logits[0])
                for tokens, result in zip(token_lists, results, strict=True)]

    def _loglikelihood(self, tokens: list[int], logits: Sequence[Any]) -> float:
        """Sum of log-softmax at each forced token, then at end of text."""
        total = 0.0
        for step, token in enumerate([*tokens, self._tokenizer.eot]):
            row = np.asarray(logits[step], dtype=np.float64)
            peak = row.max()
            total += float(row[token] - peak - np.log(np.exp(row - peak).sum()))
        return total

    def _encode(self, audio: npt.NDArray[np.float32]) -> Any:
        import ctranslate2
        from faster_whisper.audio import pad_or_trim

        seconds = len(audio) / PIPELINE_RATE + self.margin_s
        window = next((w for w in WINDOWS_S if seconds <= w), WINDOWS_S[-1])
        features = pad_or_trim(self._model.feature_extractor(audio)[:, :-1],
                               int(window * MEL_FRAMES_PER_S))
        return self._model.model.encode(
            ctranslate2.StorageView.from_array(np.ascontiguousarray(features[None],
                                                                    dtype=np.float32)),
            to_cpu=True)


def _repeat(encoded: Any, count: int) -> Any:
    """The encoder output once per text: the decoder takes one feature row per prompt."""
    import ctranslate2

    array = np.asarray(encoded)
    return ctranslate2.StorageView.from_array(np.ascontiguousarray(np.repeat(array, count,
                                                                             axis=0)))
