"""Transcribe recordings: utterance by utterance as a live leg, or by the after-call pass.

A recording analysed after the call (`huifang transcribe`, `eval-asr`, `analyze`) streams
through the path a live call takes, with the engine's file recogniser where it has one (the
same file gives the same text on every run: whisper_seeded.py); with HUIFANG_AFTER_CALL_PASS
(or `after_call=True`) an engine that has one decodes it by its after-call pass instead (long
windows: whisper_call.py). Either way a stretch of speech that gave no text is reported.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from asr.codec import PIPELINE_RATE, Pcm16
from asr.context_vote import Context, vote_leg
from asr.engines.base import CallDecoder, ContextVoting, Engine, FileRecognizing
from asr.errors import AudioInputError
from asr.events import LegDecode, Transcript, TranscriptPass, Undecodable
from asr.stream import RecognitionStream
from asr.wavfile import read_audio

# Audio is pushed in 20 ms pieces, the size of one RTP packet.
CHUNK_SAMPLES = PIPELINE_RATE // 50


@dataclass(frozen=True)
class FileTranscript:
    """The text of one recording with its timed segments and the cost of decoding it."""

    file: str
    text: str
    segments: tuple[Transcript, ...]
    duration_s: float
    processing_s: float
    undecodable: tuple[Undecodable, ...] = ()
    decoded_by: TranscriptPass = TranscriptPass.AFTER_CALL

    def as_json(self) -> dict[str, object]:
        """The JSON shape `huifang transcribe --json` prints."""
        return {
            "file": self.file,
            "text": self.text,
            "segments": [_segment_json(s) for s in self.segments],
            "undecodable": [_span_json(u) for u in self.undecodable],
            "pass": self.decoded_by.value,
            "duration_s": round(self.duration_s, 3),
            "processing_s": round(self.processing_s, 3),
        }


def _segment_json(segment: Transcript) -> dict[str, object]:
    shown: dict[str, object] = {"start": round(segment.start, 3), "end": round(segment.end, 3),
                                "text": segment.text}
    if segment.leg is not None:
        shown["leg"] = segment.leg
    return shown


def _span_json(span: Undecodable) -> dict[str, object]:
    shown: dict[str, object] = {"start": round(span.start, 3), "end": round(span.end, 3)}
    if span.leg is not None:
        shown["leg"] = span.leg
    return shown


def transcribe_samples(engine: Engine, samples: Pcm16, leg: str | None = None
                       ) -> list[Transcript]:
    """Final transcripts of 16 kHz samples, streamed as a live call would be."""
    return list(stream_samples(engine, samples, leg).finals)


def stream_samples(engine: Engine, samples: Pcm16, leg: str | None = None,
                   contexts: tuple[Context, ...] | None = None) -> LegDecode:
    """The live path over a whole signal: finals with text, and utterances that gave none.

    With an engine that has one, a file recogniser decodes: the same text on every run.
    With extra `contexts` (None: the engine's HUIFANG_RECORDING_CONTEXTS) every utterance is
    decoded again with each and its characters voted (context_vote.py).
    """
    recognizer = engine.new_file_recognizer(leg) if isinstance(engine, FileRecognizing) \
        else None
    stream = RecognitionStream(engine, leg, max_pending_chunks=len(samples) // CHUNK_SAMPLES + 2,
                               recognizer=recognizer)
    for start in range(0, len(samples), CHUNK_SAMPLES):
        stream.push(samples[start : start + CHUNK_SAMPLES])
    stream.end()
    finals = [r for r in stream.results() if r.is_final]
    decoded = LegDecode(tuple(r for r in finals if r.text),
                        tuple(Undecodable(r.start, r.end, r.leg) for r in finals if not r.text))
    if not isinstance(engine, ContextVoting):
        return decoded
    chosen = engine.recording_contexts if contexts is None else contexts
    return vote_leg(decoded, samples, engine.decode_utterance, chosen)


def transcribe_leg(engine: Engine, samples: Pcm16, leg: str | None = None,
                   after_call: bool | None = None,
                   contexts: tuple[Context, ...] | None = None) -> LegDecode:
    """One leg: the engine's after-call pass where it has one and it is wanted, else live.

    `after_call` None follows the engine's configuration (HUIFANG_AFTER_CALL_PASS).
    """
    if _wants_call_pass(engine, after_call):
        assert isinstance(engine, CallDecoder)
        return engine.decode_call(samples, leg)
    return stream_samples(engine, samples, leg, contexts)


def _wants_call_pass(engine: Engine, after_call: bool | None) -> bool:
    if not isinstance(engine, CallDecoder):
        return False
    return bool(getattr(engine, "call_pass_by_default", False)) if after_call is None \
        else after_call


def transcribe_file(engine: Engine, path: str | Path, max_duration_s: float | None = None,
                    legs: tuple[str, ...] | None = None, after_call: bool | None = None,
                    contexts: tuple[Context, ...] | None = None) -> FileTranscript:
    """Read, convert and transcribe one recording (AudioInputError if it cannot be used).

    With `legs`, a call recording's channels are transcribed separately (channel i is leg
    legs[i]) and the segments merged in time order, each naming its leg.
    """
    began = time.perf_counter()
    clip = read_audio(path, max_duration_s)
    if legs is None:
        decoded = [transcribe_leg(engine, clip.mono16k(), None, after_call, contexts)]
    else:
        if clip.channels != len(legs):
            raise AudioInputError(str(path), f"{clip.channels} channel(s), but {len(legs)} legs"
                                  f" ({', '.join(legs)}) were asked for")
        decoded = [transcribe_leg(engine, samples, leg, after_call, contexts)
                   for leg, samples in clip.legs(legs).items()]
    finals = sorted((r for d in decoded for r in d.finals), key=lambda r: r.start)
    lost = sorted((u for d in decoded for u in d.undecodable), key=lambda u: u.start)
    used = TranscriptPass.AFTER_CALL if _wants_call_pass(engine, after_call) \
        else TranscriptPass.LIVE
    return FileTranscript(
        file=str(path),
        text="".join(r.text for r in finals),
        segments=tuple(finals),
        duration_s=clip.duration_s,
        processing_s=time.perf_counter() - began,
        undecodable=tuple(lost),
        decoded_by=used,
    )
