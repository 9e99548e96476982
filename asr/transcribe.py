"""Transcribe recordings through the same streaming path that live calls take."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from asr.codec import PIPELINE_RATE, Pcm16
from asr.engines.base import Engine
from asr.errors import AudioInputError
from asr.events import Transcript
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

    def as_json(self) -> dict[str, object]:
        """The JSON shape `huifang transcribe --json` prints."""
        return {
            "file": self.file,
            "text": self.text,
            "segments": [_segment_json(s) for s in self.segments],
            "duration_s": round(self.duration_s, 3),
            "processing_s": round(self.processing_s, 3),
        }


def _segment_json(segment: Transcript) -> dict[str, object]:
    shown: dict[str, object] = {"start": round(segment.start, 3), "end": round(segment.end, 3),
                                "text": segment.text}
    if segment.leg is not None:
        shown["leg"] = segment.leg
    return shown


def transcribe_samples(engine: Engine, samples: Pcm16, leg: str | None = None
                       ) -> list[Transcript]:
    """Final transcripts of 16 kHz samples, streamed as a live call would be."""
    stream = RecognitionStream(engine, leg, max_pending_chunks=len(samples) // CHUNK_SAMPLES + 2)
    for start in range(0, len(samples), CHUNK_SAMPLES):
        stream.push(samples[start : start + CHUNK_SAMPLES])
    stream.end()
    return [r for r in stream.results() if r.is_final and r.text]


def transcribe_file(engine: Engine, path: str | Path, max_duration_s: float | None = None,
                    legs: tuple[str, ...] | None = None) -> FileTranscript:
    """Read, convert and transcribe one recording (AudioInputError if it cannot be used).

    With `legs`, a call recording's channels are transcribed separately (channel i is leg
    legs[i]) and the segments merged in time order, each naming its leg.
    """
    began = time.perf_counter()
    clip = read_audio(path, max_duration_s)
    if legs is None:
        finals = transcribe_samples(engine, clip.mono16k())
    else:
        if clip.channels != len(legs):
            raise AudioInputError(str(path), f"{clip.channels} channel(s), but {len(legs)} legs"
                                  f" ({', '.join(legs)}) were asked for")
        per_leg = clip.legs(legs)
        finals = sorted((r for leg, samples in per_leg.items()
                         for r in transcribe_samples(engine, samples, leg)),
                        key=lambda r: r.start)
    return FileTranscript(
        file=str(path),
        text="".join(r.text for r in finals),
        segments=tuple(finals),
        duration_s=clip.duration_s,
        processing_s=time.perf_counter() - began,
    )
