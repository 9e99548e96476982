"""A finished callback as the pipeline stores it, built from the demo's recorded lines: a stereo
recording (agent channel 0, customer channel 1), its live transcript, and the flags the real
misleading-sale rules raise on the customer's words; for the agent desk and the workbench."""

from __future__ import annotations

import csv
import wave
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import numpy as np

from agent_assist.events import Leg, Utterance
from agent_assist.misleading_sale import MisleadingSaleDetector
from agent_assist.rule_set import RuleSet
from asr.events import Transcript, TranscriptKind
from storage.analysis import store_flags
from storage.analysis_models import CallFlag, FlagKind
from storage.database import Database
from storage.models import CallRecord
from storage.transcripts import add_utterance

DEMO_DATA = Path(__file__).parents[2] / "huifang" / "demo" / "data"
RATE = 16000
GAP_S = 0.6  # silence between turns


@dataclass(frozen=True)
class StoredCall:
    """The stored call's id, its transcript lines (leg, text, start s, end s) and flag ids."""

    call_id: int
    lines: list[tuple[str, str, float, float]]
    flag_ids: list[int]
    recording: Path


def _read(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as wav:
        assert wav.getframerate() == RATE and wav.getnchannels() == 1
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")


def store_demo_call(db: Database, call_id: int, folder: Path) -> StoredCall:
    """Turn the call `call_id` into the demo call, finished: recording, transcript, flags."""
    with (DEMO_DATA / "lines.tsv").open(encoding="utf-8") as table:
        turns = [(row["file"], row["leg"], row["text"])
                 for row in csv.DictReader(table, delimiter="\t")]
    channels: dict[str, list[np.ndarray]] = {"agent": [], "customer": []}
    lines = []
    at = 0.5
    for file, leg, text in turns:
        audio = _read(DEMO_DATA / file)
        silence = np.zeros(int(at * RATE) - sum(len(a) for a in channels[leg]), dtype="<i2")
        channels[leg] += [silence, audio]
        lines.append((leg, text, at, at + len(audio) / RATE))
        at += len(audio) / RATE + GAP_S
    length = int(at * RATE)
    stereo = np.zeros((length, 2), dtype="<i2")
    for channel, leg in enumerate(("agent", "customer")):
        joined = np.concatenate(channels[leg])[:length]
        stereo[: len(joined), channel] = joined
    recording = folder / f"call-{call_id}.wav"
    with wave.open(str(recording), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(stereo.tobytes())
    detector = MisleadingSaleDetector(RuleSet.load())
    with db.session() as session:
        call = session.get(CallRecord, call_id)
        assert call is not None
        call.recording_path = str(recording)
        call.ended_at = call.started_at + timedelta(seconds=at)
        call.outcome = "completed"
        flags = []
        for leg, text, start, end in lines:
            add_utterance(session, call_id, Transcript(TranscriptKind.FINAL, text, start, end, leg))
            flags += detector.analyse(Utterance(Leg(leg), text, start, end))
        rows: list[CallFlag] = store_flags(session, call, flags, kind=FlagKind.MISLEADING_SALE,
                                           raised_at=call.started_at + timedelta(seconds=at))
        session.flush()
        return StoredCall(call_id, lines, [row.id for row in rows], recording)
