"""Speech engines behind one streaming interface; which one is configuration."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Literal

from asr.engines.base import Engine, Recognizer, TextScorer
from asr.vad import VadConfig

__all__ = ["AsrConfig", "Engine", "Recognizer", "TextScorer", "load_engine"]

EngineName = Literal["whisper", "vosk"]


@dataclass(frozen=True)
class AsrConfig:
    """Which engine and model, and how they decode; built from settings by the caller."""

    engine: EngineName = "whisper"
    whisper_model: str = "base"
    whisper_beam_size: int = 5
    whisper_threads: int = 2
    whisper_workers: int = 2
    whisper_initial_prompt: str | None = None
    whisper_hotwords: str | None = None
    whisper_timestamps: bool = False
    whisper_short_window_s: float = 0.0  # encoder window for short utterances; 0: 30 s always
    whisper_short_trust_unlikely: bool = False  # no 30 s retry of an unlikely short text
    whisper_short_retry_sampling: bool = True  # False: that retry is one beam search
    whisper_batch: bool = False  # short-window decodes of all streams batched together
    whisper_batch_window_ms: float = 5.0  # how long a batch waits for more after its first
    whisper_batch_max: int = 8  # utterances per batch at most
    after_call_pass: bool = False  # files decoded by the after-call pass, not per utterance
    after_call_window_s: float = 28.0  # the after-call pass's longest window
    after_call_context: bool = False  # its windows prompted with the leg's text so far
    after_call_whole_leg: bool = False  # each leg decoded whole, uncovered stretches alone
    after_call_fallback: bool = False  # its windows retried by seeded sampling when doubtful
    recording_contexts: tuple[tuple[int, int], ...] = ()  # recordings: re-decode and vote
    vosk_model: str = "vosk-model-small-cn-0.22"
    vosk_phrases: tuple[str, ...] = ()
    vad: VadConfig = field(default_factory=VadConfig)
    partial_interval_s: float = 0.0
    speculate_ms: int = 0


_engines: dict[AsrConfig, Engine] = {}
_lock = threading.Lock()


def load_engine(config: AsrConfig) -> Engine:
    """The configured engine, loaded once per process and configuration."""
    with _lock:
        if config not in _engines:
            _engines[config] = _create(config)
        return _engines[config]


def _create(config: AsrConfig) -> Engine:
    if config.engine == "vosk":
        from asr.engines.vosk import VoskEngine

        return VoskEngine(config.vosk_model, list(config.vosk_phrases))
    if config.engine != "whisper":
        raise ValueError(f"unknown ASR engine {config.engine!r}: use 'whisper' or 'vosk'")
    from asr.engines.whisper import WhisperEngine, WhisperOptions

    options = WhisperOptions(
        beam_size=config.whisper_beam_size,
        threads=config.whisper_threads,
        workers=config.whisper_workers,
        initial_prompt=config.whisper_initial_prompt,
        hotwords=config.whisper_hotwords,
        without_timestamps=not config.whisper_timestamps,
        short_window_s=config.whisper_short_window_s,
        short_trust_unlikely=config.whisper_short_trust_unlikely,
        short_retry_sampling=config.whisper_short_retry_sampling,
        batch=config.whisper_batch,
        batch_window_ms=config.whisper_batch_window_ms,
        batch_max=config.whisper_batch_max,
        call_pass=config.after_call_pass,
        call_window_s=config.after_call_window_s,
        call_context=config.after_call_context,
        call_whole_leg=config.after_call_whole_leg,
        call_fallback=config.after_call_fallback,
        recording_contexts=config.recording_contexts,
    )
    return WhisperEngine(config.whisper_model, options, config.vad, config.partial_interval_s,
                         config.speculate_ms)
