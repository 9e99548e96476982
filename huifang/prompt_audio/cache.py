"""The prompt cache: one WAV per distinct text and voice, named by a hash, at the bridge rate."""

from __future__ import annotations

import hashlib
import os
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from asr.codec import Pcm16, resample, to_mono
from asr.errors import AudioInputError
from asr.wavfile import read_audio
from huifang.prompt_audio.tts import TtsEngine, TtsError
from ivr.config import SipConfig

# ivr's conference bridge runs at SipConfig.clock_rate; a prompt at that rate plays unresampled.
PROMPT_RATE = SipConfig.clock_rate
_EDGE_S = 0.05  # silence kept at each end, so back-to-back prompts sound like one voice
_SILENCE_LEVEL = 200  # PCM16 units: espeak-ng's leading/trailing "silence" is exactly 0


@dataclass(frozen=True)
class PromptWav:
    """A prompt's audio file and whether it was already in the cache."""

    text: str
    path: Path
    seconds: float
    cached: bool


class PromptCache:
    """Renders each text once per engine identity; later asks return the cached WAV."""

    def __init__(self, engine: TtsEngine, directory: Path, rate: int = PROMPT_RATE) -> None:
        self.engine = engine
        self.directory = directory
        self.rate = rate

    def path_for(self, text: str) -> Path:
        """Where the text's WAV lives (whether or not rendered yet)."""
        key = f"{self.engine.identity}\n{self.rate}\n{text}".encode()
        return self.directory / f"{hashlib.sha256(key).hexdigest()[:32]}.wav"

    def wav_for(self, text: str) -> PromptWav:
        """The text's WAV, rendered now if it is not cached; TtsError when rendering fails."""
        path = self.path_for(text)
        if path.exists():
            return PromptWav(text, path, _seconds(path), cached=True)
        self.directory.mkdir(parents=True, exist_ok=True)
        samples = self._synthesise(text)
        _write_atomically(path, samples, self.rate)
        path.with_suffix(".txt").write_text(text + "\n", encoding="utf-8")
        return PromptWav(text, path, len(samples) / self.rate, cached=False)

    def _synthesise(self, text: str) -> Pcm16:
        with tempfile.TemporaryDirectory(prefix="tts-") as tmp:
            raw = Path(tmp) / "raw.wav"
            self.engine.render(text, raw)
            try:
                clip = read_audio(raw)
            except AudioInputError as err:
                raise TtsError(f"{self.engine.identity} wrote no usable WAV: {err}") from err
        samples = resample(to_mono(clip.samples), clip.sample_rate, self.rate)
        return trim_silence(samples, self.rate)


def trim_silence(samples: Pcm16, rate: int) -> Pcm16:
    """Cut leading and trailing silence down to a short edge."""
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > _SILENCE_LEVEL)
    if len(loud) == 0:
        return samples
    edge = int(_EDGE_S * rate)
    return samples[max(0, loud[0] - edge): loud[-1] + 1 + edge]


def _write_atomically(path: Path, samples: Pcm16, rate: int) -> None:
    # A half-written WAV must never be found under the final name by a concurrent call.
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
    os.close(fd)
    with wave.open(tmp, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.asarray(samples, dtype="<i2").tobytes())
    os.replace(tmp, path)


def _seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / w.getframerate()
