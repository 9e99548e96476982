"""Stage 5, storage: a call's record opened before dialling (or on answering); what is heard
(the live transcript) and what the checks and the dialogue find written as it happens; the
end written however the call ends.

Writes run on one thread per process, in the order they were made, each its own short
transaction: the event loop never waits for the database, and a process killed mid-call
leaves every flag and item answer it had raised. Starting a record is the one synchronous
step (its id is needed at once): async code runs it with `asyncio.to_thread`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from agent_assist.events import Flag, VoiceCue
from asr.events import Transcript, TranscriptPass
from ivr.events import CallEnded
from ivr.outcome import CallOutcome
from scripts_zh.dialogue_events import (
    AnswerHeard,
    ItemConfirmed,
    ProblemItem,
    Prompt,
    SurrenderOrComplaint,
)
from scripts_zh.dialogue_events import CallEnded as DialogueEnded
from storage.analysis import refresh_flag, store_flags
from storage.analysis_models import FlagKind
from storage.callback_followups import record_followups
from storage.database import Database
from storage.models import CallDirection, CallRecord, Policy, User
from storage.problem_cases import DeadlineRules
from storage.repository import Repository
from storage.transcripts import add_utterance

log = logging.getLogger(__name__)
Job = Callable[[Session], None]
# The dialogue's events that are stored: item answers (and their problem cases), the outcome.
StoredDialogue = ItemConfirmed | ProblemItem | DialogueEnded
# What the follow-ups (complaint, policy service, the robot's promises) are opened from.
FollowUpDialogue = Prompt | AnswerHeard | SurrenderOrComplaint


@dataclass(frozen=True)
class CallStart:
    """A stored call's id, and where its recording goes (None: not recorded)."""

    call_id: int
    recording: Path | None


def start_call_record(database: Database, policy_id: int | None, direction: CallDirection,
                      sip_uri: str, recordings_dir: Path | None = None,
                      agent_id: int | None = None) -> CallStart:
    """A call record with only its start (committed now, so a crash leaves a trace).

    With `recordings_dir`, the recording's path is chosen and stored now too: a process killed
    mid-call leaves a record that already points at its (recovered) recording. With
    `agent_id`, the call is that agent's from the start (LookupError for an unknown user).
    """
    with database.session() as session:
        repo = Repository(session)
        if agent_id is not None and session.get(User, agent_id) is None:
            raise LookupError(f"no user {agent_id}")
        policy = None if policy_id is None else session.get(Policy, policy_id)
        call = repo.start_call(policy, direction, sip_uri, owner=database.owner)
        call.agent_id = agent_id
        session.flush()  # the id names the file
        recording = None
        if recordings_dir is not None:
            recording = recordings_dir / f"call-{call.id}-{uuid.uuid4().hex[:8]}.wav"
            call.recording_path = str(recording)
        return CallStart(call.id, recording)


def finish_call_record(database: Database, call_id: int, ended: CallEnded) -> None:
    """How a call that never reached the pipeline ended (a refusal): one transaction."""
    with database.session() as session:
        _finish(session, call_id, ended)


def assign_agent(database: Database, call_id: int, agent_id: int) -> None:
    """The call is now the agent's (a robot callback handed over): it is on their list."""
    with database.session() as session:
        _call(session, call_id).agent_id = agent_id


class RecordWriter:
    """One thread that runs every call's writes in order, each in its own transaction."""

    def __init__(self, database: Database, rules: DeadlineRules | None = None) -> None:
        self.database = database
        self.rules = rules  # the follow-ups' calendar (None: the bundled one)
        self._jobs: queue.SimpleQueue[tuple[Job, Future[None]] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="call-records", daemon=True)
        self._thread.start()

    def submit(self, job: Job) -> Future[None]:
        """Queue a write; the future tells when it is committed (or why it failed)."""
        done: Future[None] = Future()
        self._jobs.put((job, done))
        return done

    def close(self) -> None:
        """Write what is queued, then stop the thread."""
        self._jobs.put(None)
        self._thread.join()

    def _run(self) -> None:
        while (item := self._jobs.get()) is not None:
            job, done = item
            try:
                with self.database.session() as session:
                    job(session)
            except Exception as err:  # one failed write must not stop the others
                log.exception("a call record write failed")
                done.set_exception(err)
            else:
                done.set_result(None)


class CallRecorder:
    """One stored call's writes: flags, cues and item answers as they come, then the end."""

    def __init__(self, writer: RecordWriter, call_id: int) -> None:
        self.call_id = call_id
        self._writer = writer
        self._flag_ids: dict[object, int] = {}  # touched on the writer's thread only
        self._last: Future[None] | None = None
        self._followups: list[FollowUpDialogue] = []

    def flag(self, flag: Flag, key: object | None, kind: FlagKind) -> None:
        """Store a flag; a flag whose key was stored before gets its evidence replaced."""

        def write(session: Session) -> None:
            known = self._flag_ids.get(key) if key is not None else None
            if known is not None:
                refresh_flag(session, known, flag, kind)
                return
            row = store_flags(session, _call(session, self.call_id), [flag], kind=kind)[0]
            if key is not None:
                self._flag_ids[key] = row.id

        self._submit(write)

    def utterance(self, heard: Transcript) -> None:
        """Store a final utterance of either leg: the call's live transcript, as it grows."""
        def write(session: Session) -> None:
            add_utterance(session, self.call_id, heard, TranscriptPass.LIVE)

        self._submit(write)

    def checks_skipped(self, checks: tuple[str, ...]) -> None:
        """Note which checks this call does not run (the review console says so)."""

        def write(session: Session) -> None:
            _call(session, self.call_id).checks_skipped = list(checks)

        self._submit(write)

    def cue(self, cue: VoiceCue) -> None:
        """Store a voice cue."""
        self._submit(lambda session: _store(session, self.call_id, cue))

    def dialogue(self, event: StoredDialogue) -> None:
        """Store an item answer (and its problem case) or the dialogue's outcome."""

        def write(session: Session) -> None:
            repo = Repository(session, self._writer.rules)
            repo.record_dialogue(_call(session, self.call_id), [event])

        self._submit(write)

    def heard(self, event: FollowUpDialogue) -> None:
        """Keep a prompt, an answer or a caught surrender/complaint for the call's follow-ups."""
        self._followups.append(event)

    async def finish(self, ended: CallEnded | None) -> None:
        """After everything queued: the follow-ups of what was said (a complaint, a surrender
        request, the robot's promises, however the call ended), then how the call ended and
        its recording (None: it failed)."""
        events, self._followups = self._followups, []
        if events:
            rules = self._writer.rules

            def followups(session: Session) -> None:
                repo = Repository(session, rules)
                call = _call(session, self.call_id)
                record_followups(session, call, events, datetime.now(UTC), repo.rules)

            self._submit(followups)
        self._submit(lambda session: _finish(session, self.call_id, ended))
        await self.flushed()

    async def flushed(self) -> None:
        """Until every write queued so far is committed (a failed one was logged)."""
        if self._last is not None:
            # A failed write was logged by the writer; the call goes on being stored.
            with contextlib.suppress(Exception):
                await asyncio.wrap_future(self._last)

    def _submit(self, job: Job) -> None:
        self._last = self._writer.submit(job)


def _store(session: Session, call_id: int, cue: VoiceCue) -> None:
    store_flags(session, _call(session, call_id), [cue])


def _finish(session: Session, call_id: int, ended: CallEnded | None) -> None:
    call = _call(session, call_id)
    repo = Repository(session)
    if ended is None:  # broke off inside huifang (an error, a cancelled task)
        if call.ended_at is None:
            repo.finish_call(call, CallOutcome.FAILED.value, datetime.now(UTC))
        if call.recording_path and not Path(call.recording_path).exists():
            call.recording_path = None
        return
    repo.finish_call(call, ended.outcome.value, recording_path=ended.recording)
    if ended.recording is None:  # never answered: the path chosen at the start has no file
        call.recording_path = None


def _call(session: Session, call_id: int) -> CallRecord:
    call = session.get(CallRecord, call_id)
    if call is None:
        raise LookupError(f"call record {call_id} vanished from the database")
    return call
