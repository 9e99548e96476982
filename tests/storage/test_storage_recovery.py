"""Calls a dead process left open: settled with what was written, the rest left alone."""

from __future__ import annotations

import subprocess
import sys
import wave
from datetime import UTC, datetime, timedelta
from pathlib import Path

from storage_testkit import sqlite_db

from agent_assist.events import Severity
from ivr.outcome import CallOutcome
from storage.analysis_models import CallFlag, FlagKind
from storage.database import Database
from storage.models import CallDirection, CallRecord, ItemAnswer, Verdict
from storage.ownership import CallOwner, is_running, process_start
from storage.recovery import INTERRUPTED, node_is_dead, on_this_node, settle_open_calls
from storage.repository import Repository

START = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


def dead_owner(node: str = "node-a") -> CallOwner:
    """A process that ran on this machine and exited."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.2)"])
    owner = CallOwner(node, child.pid, process_start(child.pid))
    child.wait()
    return owner


def wav(path: Path, seconds: float) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\0\0\0\0" * int(16000 * seconds))
    return path


def open_call(db: Database, owner: CallOwner | None, recording: Path | None = None,
              answers: int = 0, flags: int = 0) -> int:
    with db.session() as session:
        call = Repository(session).start_call(None, CallDirection.INBOUND, "sip:138@x", START,
                                              owner=owner)
        call.recording_path = str(recording) if recording else None
        for n in range(answers):
            session.add(ItemAnswer(call=call, step_id=f"item{n}", item=n + 1,
                                   verdict=Verdict.CONFIRMED))
        for _ in range(flags):
            session.add(CallFlag(call=call, kind=FlagKind.MISLEADING_SALE, rule_id="r",
                                 category="欺骗", severity=Severity.HIGH, raised_at=START))
        session.flush()
        return call.id


def row(db: Database, call_id: int) -> CallRecord:
    with db.session() as session:
        call = session.get(CallRecord, call_id)
        assert call is not None
        session.expunge(call)
        return call


def test_ownership_tells_a_running_process_from_a_gone_or_reused_pid() -> None:
    me = CallOwner.this_process("node-a")
    assert is_running(me)
    assert not is_running(dead_owner())
    assert not is_running(CallOwner("node-a", me.pid, "1"))  # same pid, another process


def test_a_dead_process_call_keeps_its_answers_flags_and_recording(tmp_path: Path) -> None:
    db = sqlite_db(tmp_path)
    recording = wav(tmp_path / "call-1.wav", 2.5)
    call_id = open_call(db, dead_owner(), recording, answers=2, flags=1)
    live_id = open_call(db, CallOwner.this_process("node-a"))
    now = START + timedelta(minutes=5)
    (settled,) = settle_open_calls(db, on_this_node("node-a"), now)
    assert (settled.call_id, settled.answers, settled.flags) == (call_id, 2, 1)
    assert settled.recording == str(recording) and "2 answers" in settled.line()
    call = row(db, call_id)
    assert call.outcome == INTERRUPTED == CallOutcome.INTERRUPTED.value
    assert call.ended_at is not None
    assert abs((call.ended_at.replace(tzinfo=UTC) - START).total_seconds() - 2.5) < 0.01
    assert row(db, live_id).ended_at is None  # its process still runs: not ours to settle
    assert settle_open_calls(db, on_this_node("node-a"), now) == []  # settled once only


def test_a_missing_recording_is_not_linked_and_old_rows_are_settled(tmp_path: Path) -> None:
    db = sqlite_db(tmp_path)
    call_id = open_call(db, dead_owner(), tmp_path / "never-written.wav")
    legacy_id = open_call(db, None)
    now = START + timedelta(minutes=1)
    settled = settle_open_calls(db, on_this_node("node-a"), now)
    assert [s.call_id for s in settled] == [call_id, legacy_id]
    assert row(db, call_id).recording_path is None
    ended = row(db, legacy_id).ended_at
    assert ended is not None and ended.replace(tzinfo=UTC) == now


def test_a_recording_cut_off_before_its_header_is_not_linked(tmp_path: Path) -> None:
    db = sqlite_db(tmp_path)
    empty = tmp_path / "call-2.wav"
    empty.write_bytes(b"")  # killed between creating the file and writing to it
    garbled = tmp_path / "call-3.wav"
    garbled.write_bytes(b"RIFF\0\0")
    ids = [open_call(db, dead_owner(), path) for path in (empty, garbled)]
    now = START + timedelta(minutes=1)
    settled = settle_open_calls(db, on_this_node("node-a"), now)
    assert [(s.call_id, s.recording) for s in settled] == [(ids[0], None), (ids[1], None)]
    assert all(row(db, call_id).recording_path is None for call_id in ids)
    assert all(row(db, call_id).outcome == INTERRUPTED for call_id in ids)


def test_another_nodes_calls_wait_until_that_node_is_declared_dead(tmp_path: Path) -> None:
    db = sqlite_db(tmp_path)
    theirs = open_call(db, CallOwner("node-b", 4242, "99"))
    assert settle_open_calls(db, on_this_node("node-a")) == []
    (settled,) = settle_open_calls(db, node_is_dead("node-b"))
    assert settled.call_id == theirs and settled.owner == "node-b/4242"
