"""The streaming recogniser interface every engine offers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from asr.codec import Pcm16
from asr.events import LegDecode, Transcript


class Recognizer(Protocol):
    """One call leg's recogniser: not thread-safe, driven from that leg's single worker."""

    def accept(self, pcm: Pcm16) -> list[Transcript]:
        """Take 16 kHz mono PCM16 samples; return the results they complete."""
        ...

    def finish(self) -> list[Transcript]:
        """End of input: return the remaining results (the last final among them)."""
        ...


class Engine(Protocol):
    """A loaded model, one per process, shared by all recognisers."""

    name: str

    def new_recognizer(self, leg: str | None = None) -> Recognizer:
        """A fresh recogniser for one stream."""
        ...


@runtime_checkable
class FileRecognizing(Protocol):
    """An engine with a recogniser for recordings: the same file gives the same text."""

    def new_file_recognizer(self, leg: str | None = None) -> Recognizer:
        """A recogniser whose results do not depend on timing, load or earlier decodes."""
        ...


@runtime_checkable
class CallDecoder(Protocol):
    """An engine that can also decode a whole recorded leg after the call (long windows)."""

    def decode_call(self, samples: Pcm16, leg: str | None = None) -> LegDecode:
        """The leg's finals in time order, and the speech stretches left undecodable."""
        ...


@runtime_checkable
class TextScorer(Protocol):
    """An engine that can say how likely given texts are for an utterance (Whisper can)."""

    def score_texts(self, audio: Pcm16, texts: Sequence[str]) -> list[float]:
        """Log-likelihood of each text for the 16 kHz utterance, higher is likelier."""
        ...


@runtime_checkable
class ContextVoting(Protocol):
    """An engine that decodes a recording's utterances again with wider context, then votes."""

    @property
    def recording_contexts(self) -> tuple[tuple[int, int], ...]:
        """Extra contexts (ms before, ms after the speech) for recordings; () for none."""
        ...

    def decode_utterance(self, audio: Pcm16, offset_s: float) -> str:
        """One stretch's text, the same on every run."""
        ...
