"""Make the telephone-band fixtures: speech/*.wav → 8 kHz → G.711 mu-law WAV in tel/.

Run from the repository root: .venv/bin/python audio_fixtures/make_telephone_band.py
"""

from __future__ import annotations

from pathlib import Path

from asr.codec import resample, to_mono
from asr.wavfile import read_audio, write_wav

HERE = Path(__file__).parent
TELEPHONE_RATE = 8000


def main() -> None:
    """Write tel/NAME.wav for every speech/NAME.wav."""
    for clean in sorted((HERE / "speech").glob("*.wav")):
        clip = read_audio(clean)
        narrow = resample(to_mono(clip.samples), clip.sample_rate, TELEPHONE_RATE)
        write_wav(HERE / "tel" / clean.name, narrow, TELEPHONE_RATE, encoding="mulaw")


if __name__ == "__main__":
    main()
