"""The real recordings of ../shared/corpus as the voice benchmarks read them (never copied)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from asr.codec import Pcm16, resample, ulaw_decode, ulaw_encode
from asr.wavfile import read_audio

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


@dataclass(frozen=True)
class CorpusClip:
    """One clip: its file name, speaker label, gender (m/f/unknown) and 16 kHz samples."""

    name: str
    speaker: str
    gender: str
    samples: Pcm16


def load_clips(tables: tuple[str, ...] = ("speakers.tsv", "clean.tsv")) -> list[CorpusClip]:
    """Every clip listed in the given tables, read from the corpus folder."""
    clips = []
    for table in tables:
        with (CORPUS / table).open(encoding="utf-8") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                samples = read_audio(CORPUS / row["file"]).mono16k()
                name = Path(row["file"]).stem
                clips.append(CorpusClip(name, row["speaker"], row["gender"], samples))
    return clips


def telephone_band(samples: Pcm16) -> Pcm16:
    """The clip as a phone call carries it: 8 kHz G.711 mu-law and back to 16 kHz."""
    narrow = resample(samples, 16000, 8000)
    return resample(ulaw_decode(ulaw_encode(narrow)), 8000, 16000)
