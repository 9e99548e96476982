"""Speaker clips from audio_fixtures/speakers, policyholder records and voice helpers for tests."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from agent_assist.voice_cues import PolicyholderRecord
from agent_assist.voice_estimates import VoiceGender
from asr.codec import Pcm16
from asr.wavfile import read_audio

SPEAKERS_DIR = Path(__file__).resolve().parents[2] / "audio_fixtures" / "speakers"
TODAY = date(2026, 11, 22)


@dataclass(frozen=True)
class SpeakerClip:
    """A fixture clip with its speaker and gender label (m/f/unknown)."""

    name: str
    speaker: str
    gender: str
    samples: Pcm16


@lru_cache(maxsize=1)
def speaker_clips() -> tuple[SpeakerClip, ...]:
    """Every clip of the speakers manifest, read once per test process."""
    with (SPEAKERS_DIR / "manifest.tsv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return tuple(
        SpeakerClip(
            Path(row["file"]).stem, row["speaker"], row["gender"],
            read_audio(SPEAKERS_DIR / row["file"]).mono16k(),
        )
        for row in rows
    )


def clips_of(speaker: str) -> list[SpeakerClip]:
    """The clips of one speaker."""
    return [clip for clip in speaker_clips() if clip.speaker == speaker]


def clip(name: str) -> SpeakerClip:
    """One clip by file stem."""
    return next(c for c in speaker_clips() if c.name == name)


def holder(
    gender: VoiceGender,
    age: int,
    policyholder_id: str = "H1",
    salesperson: str = "",
    team: str = "",
    outlet: str = "",
    branch: str = "",
) -> PolicyholderRecord:
    """A policyholder of the given gender who is `age` years old on TODAY."""
    return PolicyholderRecord(
        policyholder_id, f"P-{policyholder_id}", gender,
        date(TODAY.year - age, 1, 15), salesperson, team, outlet, branch,
    )
