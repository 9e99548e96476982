"""faster-whisper over VAD segments: finals per utterance, optional partials while speaking."""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from asr.codec import PIPELINE_RATE, Pcm16, pcm16_to_float
from asr.engines.whisper_batch import BatchPolicy, DecodeBatcher
from asr.engines.whisper_call import CallPassOptions, decode_leg, runaway
from asr.engines.whisper_phrases import PhraseScorer
from asr.engines.whisper_seeded import SeededSampling
from asr.engines.whisper_short import ShortWindowDecoder
from asr.errors import EngineLoadError
from asr.events import LegDecode, Transcript, TranscriptKind, Word
from asr.vad import VadConfig, VadEvent, VadEventKind, VadSegmenter
from zhtext import join_cjk, normalize_width, to_simplified

# faster-whisper's default: a beam search, then sampling at rising temperatures while the text
# is too unlikely or too repetitive.
FASTER_WHISPER_TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
# Whisper invents these subtitle credits on silence and noise; no caller says them.
_HALLUCINATIONS = re.compile(r"字幕|订阅|点赞|打赏|明镜|栏目|谢谢观看|请不吝")


@dataclass(frozen=True)
class WhisperOptions:
    """Decoding settings; the defaults are the ones measured in BENCHMARKS.md."""

    beam_size: int = 5
    patience: float = 1.0
    language: str = "zh"
    initial_prompt: str | None = None
    hotwords: str | None = None
    # Timestamp tokens cost accuracy on short utterances; the VAD gives the times anyway.
    without_timestamps: bool = True
    repetition_penalty: float = 1.0
    compression_ratio_threshold: float = 2.4
    threads: int = 2
    workers: int = 2
    # Encoder window for short utterances (whisper_short.py); 0 keeps faster-whisper's 30 s.
    short_window_s: float = 0.0
    short_margin_s: float = 2.0
    short_trust_unlikely: bool = False  # keep an unlikely short-window text (no 30 s retry)
    # False: the 30 s retry of a doubtful short utterance is one beam search, without
    # faster-whisper's sampling at rising temperatures (up to five more decodes).
    short_retry_sampling: bool = True
    # Short-window decodes of all streams go through one batcher (whisper_batch.py): the
    # utterances queued when the model frees up, or ending within `batch_window_ms` of each
    # other, share one encoder pass and one beam search.
    batch: bool = False
    batch_window_ms: float = 5.0
    batch_max: int = 8
    # The after-call pass (whisper_call.py): longest window, and whether the leg's text so
    # far is the next window's prompt (off: it cost accuracy on the dev calls, BENCHMARKS.md).
    call_pass: bool = False  # off: the frozen test set said no (BENCHMARKS.md)
    call_window_s: float = 28.0
    call_context: bool = False
    call_whole_leg: bool = False
    call_fallback: bool = False  # doubtful windows retried by sampling, seeded per window
    # Recordings (per-utterance path): each utterance decoded again with these extra contexts
    # (ms before, ms after the speech) and the characters voted (context_vote.py).
    recording_contexts: tuple[tuple[int, int], ...] = ()


def clean_text(text: str) -> str:
    """Whisper output → simplified, half-width text without spaces between characters."""
    return join_cjk(normalize_width(to_simplified(text))).strip()


class WhisperEngine:
    """One faster-whisper model per process; decodes are safe from several worker threads."""

    name = "whisper"

    def __init__(self, model: str, options: WhisperOptions | None = None,
                 vad: VadConfig | None = None, partial_interval_s: float = 0.0,
                 speculate_ms: int = 0) -> None:
        self.options = options or WhisperOptions()
        self.vad = vad or VadConfig()
        self.partial_interval_s = partial_interval_s
        self.speculate_ms = speculate_ms
        self._model = _load(model, self.options)
        # Recordings' temperature fallback samples from a seeded sampler of its own
        # (whisper_seeded.py); live legs keep sampling on the shared model.
        self._sampling = SeededSampling(self._model.model, lambda: _sampler(model, self.options))
        self._model.model = self._sampling
        self._short = _short_decoder(self._model, self.options)
        self._batcher = _batcher(self, self.options)
        self.short_decodes = {"short": 0, "fallback": 0}
        # Early decodes run here, so a stream's worker keeps reading audio meanwhile.
        self._pool = ThreadPoolExecutor(self.options.workers, thread_name_prefix="whisper")
        self._busy = 0  # decodes running or queued, early ones included
        self._busy_lock = threading.Lock()
        self._phrases = PhraseScorer(self._model, self.options.language)

    @property
    def has_spare_worker(self) -> bool:
        """Whether a decode could start now without waiting for another one."""
        with self._busy_lock:
            return self._busy < self.options.workers

    @property
    def samplers_built(self) -> int:
        """Utterances of recordings whose decode fell back to sampling (one sampler each)."""
        return self._sampling.samplers_built

    def submit(self, audio: Pcm16, offset_s: float = 0.0
               ) -> Future[tuple[str, tuple[Word, ...]]]:
        """Decode on the engine's pool; the result is what `transcribe` returns."""
        return self._pool.submit(self.transcribe, audio, offset_s)

    def transcribe(self, audio: Pcm16, offset_s: float = 0.0, reproducible: bool = False
                   ) -> tuple[str, tuple[Word, ...]]:
        """Decode one utterance; returns its text and timed pieces (absolute seconds).

        `reproducible`: the temperature fallback samples with a seed taken from the audio, so
        the same utterance always gives the same text (a sampler built per such utterance).
        """
        with self._busy_lock:
            self._busy += 1
        try:
            with self._sampling.utterance(audio) if reproducible else nullcontext():
                return self._decode(audio, offset_s)
        finally:
            with self._busy_lock:
                self._busy -= 1

    def _decode(self, audio: Pcm16, offset_s: float) -> tuple[str, tuple[Word, ...]]:
        samples = pcm16_to_float(audio)
        temperatures: tuple[float, ...] = FASTER_WHISPER_TEMPERATURES
        if self._short is not None and self._short.fits(len(samples)):
            short = (self._short.decode(samples) if self._batcher is None
                     else self._batcher.decode(self._short.features(samples)))
            with self._busy_lock:
                self.short_decodes["fallback" if short is None else "short"] += 1
            if short is not None:
                return _words([(short[0], 0.0, len(samples) / PIPELINE_RATE, short[1])],
                              offset_s)
            if not self.options.short_retry_sampling:
                temperatures = (0.0,)
        segments, _info = self._model.transcribe(
            samples,
            temperature=list(temperatures),
            language=self.options.language,
            beam_size=self.options.beam_size,
            patience=self.options.patience,
            initial_prompt=self.options.initial_prompt,
            hotwords=self.options.hotwords,
            without_timestamps=self.options.without_timestamps,
            repetition_penalty=self.options.repetition_penalty,
            compression_ratio_threshold=self.options.compression_ratio_threshold,
            condition_on_previous_text=False,
            vad_filter=False,  # our own VAD already cut the utterance
        )
        return _words([(seg.text, seg.start, seg.end, seg.avg_logprob) for seg in segments],
                      offset_s)

    @property
    def batch_sizes(self) -> dict[int, int]:
        """Short-window batches run so far, by size (empty when batching is off)."""
        return {} if self._batcher is None else self._batcher.batch_sizes

    def _short_batch(self, features: list[npt.NDArray[np.float32]]
                     ) -> list[tuple[str, float] | None]:
        """What the batcher runs: the short-window decoder over several utterances' features."""
        assert self._short is not None
        return self._short.decode_features(features)

    def score_texts(self, audio: Pcm16, texts: Sequence[str]) -> list[float]:
        """Log-likelihood of each text for one utterance: a closed-vocabulary second listen."""
        return self._phrases.score(pcm16_to_float(audio), texts)

    def new_recognizer(self, leg: str | None = None) -> WhisperRecognizer:
        """A recogniser for one stream, with its own VAD state."""
        return WhisperRecognizer(self, leg)

    def new_file_recognizer(self, leg: str | None = None) -> WhisperRecognizer:
        """A recogniser for a recording: reproducible decodes, no early decodes, no partials.

        Nothing waits on a recording's finals, so nothing is decoded during the hang-over
        and the text is the same on every run whatever the machine's load.
        """
        return WhisperRecognizer(self, leg, reproducible=True)

    @property
    def recording_contexts(self) -> tuple[tuple[int, int], ...]:
        """Extra contexts a recording's utterances are decoded with, then voted."""
        return self.options.recording_contexts

    def decode_utterance(self, audio: Pcm16, offset_s: float) -> str:
        """One stretch of a recording: the same text on every run."""
        return self.transcribe(audio, offset_s, reproducible=True)[0]

    @property
    def call_pass_by_default(self) -> bool:
        """Whether recordings are decoded by decode_call unless the caller says otherwise."""
        return self.options.call_pass

    def decode_call(self, samples: Pcm16, leg: str | None = None) -> LegDecode:
        """The after-call pass over one whole leg (whisper_call.py): long windows, context."""
        options = CallPassOptions(
            beam_size=self.options.beam_size, patience=self.options.patience,
            language=self.options.language, initial_prompt=self.options.initial_prompt,
            hotwords=self.options.hotwords,
            compression_ratio_threshold=self.options.compression_ratio_threshold,
            max_window_s=self.options.call_window_s, carry_context=self.options.call_context,
            whole_leg=self.options.call_whole_leg,
            temperatures=FASTER_WHISPER_TEMPERATURES if self.options.call_fallback else (0.0,),
        )
        return decode_leg(self._model, samples, leg, self.vad, options, self._decode_alone,
                          clean_text, _is_hallucination, self._sampling.utterance)

    def _decode_alone(self, audio: Pcm16, offset_s: float) -> tuple[str, tuple[Word, ...]]:
        """One stretch the window pass missed, decoded alone: beam search, no sampling.

        A repetition loop is decoded again with repeated trigrams barred, still deterministic.
        """
        duration = len(audio) / PIPELINE_RATE
        for no_repeat in (0, 3):
            segments, _info = self._model.transcribe(
                pcm16_to_float(audio), temperature=[0.0], language=self.options.language,
                beam_size=self.options.beam_size, patience=self.options.patience,
                without_timestamps=True, condition_on_previous_text=False, vad_filter=False,
                initial_prompt=self.options.initial_prompt, hotwords=self.options.hotwords,
                no_repeat_ngram_size=no_repeat,
                no_speech_threshold=None,  # the VAD heard speech here: let Whisper say it
            )
            text, words = _words([(seg.text, seg.start, seg.end, seg.avg_logprob)
                                  for seg in segments], offset_s)
            if not runaway(text, duration, self.options.compression_ratio_threshold):
                break
        return text, words


def _is_hallucination(text: str) -> bool:
    return _HALLUCINATIONS.search(text) is not None


def _words(pieces: list[tuple[str, float, float, float]], offset_s: float
           ) -> tuple[str, tuple[Word, ...]]:
    """Decoded (text, start, end, avg_logprob) pieces → cleaned text and timed words."""
    words = []
    for raw, start, end, logprob in pieces:
        text = clean_text(raw)
        if text and not _HALLUCINATIONS.search(text):
            words.append(Word(text, offset_s + start, offset_s + end, confidence=float(logprob)))
    return "".join(w.text for w in words), tuple(words)


def _short_decoder(model: Any, options: WhisperOptions) -> ShortWindowDecoder | None:
    if not options.short_window_s:
        return None
    return ShortWindowDecoder(model, options.short_window_s, options.short_margin_s,
                              options.beam_size, options.patience, options.language,
                              options.repetition_penalty, options.compression_ratio_threshold,
                              options.short_trust_unlikely)


def _batcher(engine: WhisperEngine, options: WhisperOptions
             ) -> DecodeBatcher[npt.NDArray[np.float32], tuple[str, float] | None] | None:
    if not options.batch or not options.short_window_s:
        return None
    policy = BatchPolicy(options.batch_window_ms / 1000, options.batch_max,
                         max(64, options.batch_max))
    # One batch thread per model replica: two batches may run at once, as two decodes did.
    return DecodeBatcher(engine._short_batch, policy, threads=options.workers)


def _sampler(model: str, options: WhisperOptions) -> Any:
    """A second copy of the model with one worker thread that has never sampled."""
    import ctranslate2
    from faster_whisper.utils import download_model

    path = model if Path(model).is_dir() else download_model(model, local_files_only=True)
    return ctranslate2.models.Whisper(path, device="cpu", compute_type="int8",
                                      intra_threads=options.threads, inter_threads=1)


def _load(model: str, options: WhisperOptions) -> Any:
    from faster_whisper import WhisperModel

    if "/" in model and not Path(model).is_dir():
        raise EngineLoadError(f"Whisper model directory {model!r} does not exist"
                              " (HUIFANG_WHISPER_MODEL; bin/setup provisions one)")
    try:
        return WhisperModel(model, device="cpu", compute_type="int8",
                            cpu_threads=options.threads, num_workers=options.workers)
    except Exception as err:  # faster-whisper raises hub, OS and runtime errors alike
        raise EngineLoadError(
            f"cannot load Whisper model {model!r}: {err} (set HUIFANG_WHISPER_MODEL to a"
            " CTranslate2 model directory; a name needs internet to download)"
        ) from err


@dataclass
class _Speculation:
    """A decode started during the hang-over, valid while no new speech arrives."""

    key: tuple[int, int]
    future: Future[tuple[str, tuple[Word, ...]]]


class WhisperRecognizer:
    """VAD segmenter + Whisper: a final per utterance, partials every N s of speech.

    With `speculate_ms` set, decoding starts once the caller has been silent that long, on an
    idle worker of the engine's pool, while the VAD still waits out its hang-over; if the
    utterance then ends as predicted the final is ready sooner, else the guess is dropped.
    """

    def __init__(self, engine: WhisperEngine, leg: str | None, reproducible: bool = False
                 ) -> None:
        self._engine = engine
        self._leg = leg
        self._reproducible = reproducible
        self._speculate_ms = 0 if reproducible else engine.speculate_ms
        self._vad = VadSegmenter(engine.vad)
        self._partial_samples = 0 if reproducible else int(engine.partial_interval_s
                                                             * PIPELINE_RATE)
        self._next_partial_at = 0
        self._speech_start = 0.0
        self._speculation: _Speculation | None = None
        self.speculations = {"used": 0, "wasted": 0}

    def accept(self, pcm: Pcm16) -> list[Transcript]:
        """Take samples; decode each utterance the VAD closes."""
        results = [r for e in self._vad.push(pcm) if (r := self._on_vad(e)) is not None]
        self._maybe_speculate()
        partial = self._maybe_partial()
        return results + ([partial] if partial else [])

    def finish(self) -> list[Transcript]:
        """End of input: decode the utterance still open."""
        return [r for e in self._vad.flush() if (r := self._on_vad(e)) is not None]

    def _on_vad(self, event: VadEvent) -> Transcript | None:
        if event.kind is VadEventKind.SPEECH_STARTED:
            self._speech_start = event.start_s
            self._next_partial_at = self._partial_samples
            return None
        if event.audio is None or len(event.audio) == 0:
            return None
        text, words = self._decode(event)
        return Transcript(TranscriptKind.FINAL, text, event.start_s, event.end_s, self._leg, words)

    def _decode(self, event: VadEvent) -> tuple[str, tuple[Word, ...]]:
        guess, self._speculation = self._speculation, None
        if guess is not None and guess.key == (event.audio_start_sample, event.end_sample):
            self.speculations["used"] += 1
            return guess.future.result()
        if guess is not None:
            self.speculations["wasted"] += 1
        assert event.audio is not None
        return self._engine.transcribe(event.audio, event.audio_start_sample / PIPELINE_RATE,
                                       self._reproducible)

    def _maybe_speculate(self) -> None:
        wait_ms = self._speculate_ms
        if not wait_ms or self._vad.silence_ms < wait_ms:
            return
        # A guess is worth it only on an idle worker: under load it would delay real finals.
        if not self._engine.has_spare_worker:
            return
        closing = self._vad.closing_utterance()
        if closing is None or closing.audio is None:
            return
        key = (closing.audio_start_sample, closing.end_sample)
        if self._speculation is not None:
            if self._speculation.key == key or not self._speculation.future.done():
                return  # already guessing this end, or one guess in flight is enough
            self.speculations["wasted"] += 1
        future = self._engine.submit(closing.audio, closing.audio_start_sample / PIPELINE_RATE)
        self._speculation = _Speculation(key, future)

    def _maybe_partial(self) -> Transcript | None:
        if not self._partial_samples or not self._vad.in_speech:
            return None
        audio = self._vad.current_audio()
        if len(audio) < self._next_partial_at:
            return None
        self._next_partial_at = len(audio) + self._partial_samples
        text, _ = self._engine.transcribe(audio)
        end = self._speech_start + len(audio) / PIPELINE_RATE
        return Transcript(TranscriptKind.PARTIAL, text, self._speech_start, end, self._leg)
