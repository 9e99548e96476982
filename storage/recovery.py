"""Calls a dead process left open, settled from what was stored before it died.

Every kind of call (inbound, outbound robot callback, campaign attempt, live agent call) is a
`calls` row opened when the call starts, with its owner (storage.ownership) and, where it is
recorded, its recording's path; item answers and flags are written as they happen. A process
killed mid-call leaves that row open. Settling it keeps everything written so far, sets the
outcome `interrupted`, and links the recording when its file is there and is a WAV (ivr
repairs such WAVs when a Phone starts). When it ended is read from the recording: its length
after the start, or the time the file was last written; without one, the time of settling.

Who is dead is the caller's to say, through `is_live`: `on_this_node` for a start-up (this
node's processes, by pid and start time), `node_is_dead` when a whole node is gone (issue 19:
a Kamailio dispatcher or an operator declares it).
"""

from __future__ import annotations

import wave
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.analysis_models import CallFlag
from storage.database import Database
from storage.models import CallRecord, ItemAnswer
from storage.ownership import CallOwner, is_running

INTERRUPTED = "interrupted"  # ivr.outcome.CallOutcome.INTERRUPTED (storage never imports ivr)
IsLive = Callable[[CallOwner | None], bool]


@dataclass(frozen=True)
class SettledCall:
    """One call settled: what was kept of it."""

    call_id: int
    direction: str
    policy_no: str | None
    owner: str  # "node/pid", or "unknown" for a row written before owners were kept
    recording: str | None
    answers: int  # item answers stored before the process died
    flags: int

    def line(self) -> str:
        """One line for a log or a terminal."""
        recording = self.recording or "no recording"
        return (f"call {self.call_id} ({self.direction}, policy {self.policy_no or '-'}, "
                f"owner {self.owner}) interrupted: {self.answers} answers and {self.flags} "
                f"flags kept, {recording}")


def on_this_node(node: str) -> IsLive:
    """Live: a process of another node (not ours to judge), or of ours that still runs."""
    def is_live(owner: CallOwner | None) -> bool:
        if owner is None:
            return False  # opened before owners were kept: nobody can still hold it
        return owner.node != node or is_running(owner)
    return is_live


def node_is_dead(node: str) -> IsLive:
    """Live: every process except those of `node`, which is gone as a whole."""
    return lambda owner: owner is None or owner.node != node


def settle_open_calls(database: Database, is_live: IsLive, now: datetime | None = None, *,
                      remote: bool = False) -> list[SettledCall]:
    """Settle every open call whose owner is not live; what was kept of each, by call id.
    `remote`: the calls' node is another machine, whose recordings this one cannot see."""
    now = now or datetime.now(UTC)
    with database.session() as session:
        open_calls = session.scalars(
            select(CallRecord).where(CallRecord.ended_at.is_(None)).order_by(CallRecord.id))
        return [settle_call(session, call, now, remote=remote) for call in open_calls
                if not is_live(owner_of(call))]


def owner_of(call: CallRecord) -> CallOwner | None:
    """The process that opened the call, None for a row from before owners were kept."""
    if call.owner_node is None or call.owner_pid is None:
        return None
    return CallOwner(call.owner_node, call.owner_pid, call.owner_started or "")


def settle_call(session: Session, call: CallRecord, now: datetime, *,
                remote: bool = False) -> SettledCall:
    """Finish one open call as interrupted, linking its recording if the file is there
    (`remote`: the path is kept whether or not this machine sees the file)."""
    recording = Path(call.recording_path) if call.recording_path else None
    if recording is not None and not recording.is_file():
        recording = None
    call.outcome = INTERRUPTED
    call.ended_at = _ended_at(call.started_at, recording, now)
    if recording is not None and not _is_wav(recording):
        recording = None  # cut off before its header was written: no player opens it
    if not remote or recording is not None:
        call.recording_path = str(recording) if recording else None
    answers = session.scalar(select(func.count()).select_from(ItemAnswer)
                             .where(ItemAnswer.call_id == call.id)) or 0
    flags = session.scalar(select(func.count()).select_from(CallFlag)
                           .where(CallFlag.call_id == call.id)) or 0
    owner = owner_of(call)
    return SettledCall(call.id, call.direction.value,
                       call.policy.policy_no if call.policy else None,
                       str(owner) if owner else "unknown", call.recording_path, answers, flags)


def _is_wav(recording: Path) -> bool:
    """Whether the file opens as a WAV (an empty one included)."""
    try:
        with wave.open(str(recording), "rb"):
            return True
    except (wave.Error, EOFError, OSError):
        return False


def _ended_at(started: datetime, recording: Path | None, now: datetime) -> datetime:
    """The recording's end: start plus its length, else its last write; else `now`."""
    if recording is None:
        return now
    if started.tzinfo is None:
        started = started.replace(tzinfo=UTC)
    try:
        with wave.open(str(recording), "rb") as wav:
            seconds = wav.getnframes() / wav.getframerate()
        ended = started + timedelta(seconds=seconds)
    except (wave.Error, EOFError, OSError, ZeroDivisionError):
        ended = datetime.fromtimestamp(recording.stat().st_mtime, UTC)
    return min(max(ended, started), now)
