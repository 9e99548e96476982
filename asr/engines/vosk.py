"""Vosk (Kaldi) streaming: partials while the caller speaks, finals with word times."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from asr.codec import PIPELINE_RATE, Pcm16, pcm16_to_bytes
from asr.errors import EngineLoadError
from asr.events import Transcript, TranscriptKind, Word
from zhtext import join_cjk, to_simplified

UNKNOWN_WORD = "[unk]"


class VoskEngine:
    """One Vosk model per process; one KaldiRecognizer per stream."""

    name = "vosk"

    def __init__(self, model: str, phrases: list[str] | None = None) -> None:
        self.phrases = list(phrases or [])
        self._model = _load(model)

    def new_recognizer(self, leg: str | None = None,
                       phrases: list[str] | None = None) -> VoskRecognizer:
        """A recogniser for one stream; `phrases` restricts it to those words."""
        return VoskRecognizer(self._model, leg, phrases if phrases is not None else self.phrases)


def _load(model: str) -> Any:
    import vosk

    vosk.SetLogLevel(-1)
    try:
        if Path(model).is_dir():
            return vosk.Model(model_path=model)
        if "/" in model:
            raise EngineLoadError(f"Vosk model directory {model!r} does not exist"
                                  " (HUIFANG_VOSK_MODEL)")
        # A bare name: Vosk downloads it itself, which needs internet.
        return vosk.Model(model_name=model)
    except EngineLoadError:
        raise
    except BaseException as err:  # vosk raises bare Exception, and SystemExit on failed downloads
        raise EngineLoadError(
            f"cannot load Vosk model {model!r}: {err or type(err).__name__} (set"
            " HUIFANG_VOSK_MODEL to a model directory; a name needs internet to download)"
        ) from err


class VoskRecognizer:
    """A KaldiRecognizer with word times; partials only when their text changes."""

    def __init__(self, model: Any, leg: str | None, phrases: list[str]) -> None:
        import vosk

        if phrases:
            grammar = json.dumps([*phrases, UNKNOWN_WORD], ensure_ascii=False)
            self._rec = vosk.KaldiRecognizer(model, PIPELINE_RATE, grammar)
        else:
            self._rec = vosk.KaldiRecognizer(model, PIPELINE_RATE)
        self._rec.SetWords(True)
        self._rec.SetPartialWords(True)
        self._leg = leg
        self._last_partial = ""
        self._samples = 0

    def accept(self, pcm: Pcm16) -> list[Transcript]:
        """Feed samples; a final when Vosk detects an endpoint, else a changed partial."""
        self._samples += len(pcm)
        if self._rec.AcceptWaveform(pcm16_to_bytes(pcm)):
            final = self._final(self._rec.Result())
            return [final] if final else []
        partial = json.loads(self._rec.PartialResult())
        text = _clean(partial.get("partial", ""))
        if not text or text == self._last_partial:
            return []
        self._last_partial = text
        words = _words(partial.get("partial_result", []))
        start = words[0].start if words else 0.0
        return [Transcript(TranscriptKind.PARTIAL, text, start, self._samples / PIPELINE_RATE,
                           self._leg, words)]

    def finish(self) -> list[Transcript]:
        """End of input: the last final, if any words remain."""
        final = self._final(self._rec.FinalResult())
        return [final] if final else []

    def _final(self, raw: str) -> Transcript | None:
        self._last_partial = ""
        result = json.loads(raw)
        words = tuple(w for w in _words(result.get("result", [])) if w.text != UNKNOWN_WORD)
        text = _clean(result.get("text", "").replace(UNKNOWN_WORD, ""))
        if not text:
            return None
        start, end = (words[0].start, words[-1].end) if words else (0.0, 0.0)
        return Transcript(TranscriptKind.FINAL, text, start, end, self._leg, words)


def _clean(text: str) -> str:
    return join_cjk(to_simplified(text)).strip()


def _words(raw: list[dict[str, Any]]) -> tuple[Word, ...]:
    return tuple(
        Word(_clean(w["word"]), float(w["start"]), float(w["end"]), w.get("conf"))
        for w in raw
    )
