"""Callback calls in the database: the record opened when we dial or answer, finished at the end.

Every function is synchronous and opens its own short transaction; async code runs them with
`asyncio.to_thread`, so a slow database never stalls the event loop the calls run on.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from huifang.callback.events import SessionEvent
from huifang.callback.policy_lookup import callback_policy
from ivr.events import CallEnded
from ivr.outcome import CallOutcome
from scripts_zh.dialogue_events import (
    AnswerHeard,
    ItemConfirmed,
    ProblemItem,
    Prompt,
    SurrenderOrComplaint,
    TransferToHuman,
)
from scripts_zh.dialogue_events import CallEnded as DialogueEnded
from scripts_zh.policy import PolicyRecord
from storage.database import Database
from storage.models import CallDirection, CallRecord, Policy
from storage.repository import REACHED, Repository

_DIALOGUE_TYPES = (Prompt, AnswerHeard, ItemConfirmed, ProblemItem, SurrenderOrComplaint,
                   TransferToHuman, DialogueEnded)


class UnknownPolicyError(LookupError):
    """A policy number the database does not hold."""


@dataclass(frozen=True)
class StoredPolicy:
    """A policy's database id and the record its callback script runs with."""

    policy_id: int
    record: PolicyRecord


def load_policy(database: Database, policy_no: str) -> StoredPolicy:
    """The stored policy with this number; UnknownPolicyError if there is none."""
    with database.session() as session:
        policy = Repository(session).policy(policy_no)
        if policy is None:
            raise UnknownPolicyError(f"no policy {policy_no.strip()!r} in the database")
        return StoredPolicy(policy.id, callback_policy(session, policy))


def policy_for_caller(database: Database, caller: str, today: date) -> StoredPolicy | None:
    """The policy an inbound caller's number holds (see `choose_policy`), None if none."""
    with database.session() as session:
        policies = Repository(session).policies_for_caller(caller)
        reached = {p.id for p in policies if any(c.dialogue_outcome in REACHED for c in p.calls)}
        policy = choose_policy(policies, today, reached)
        return None if policy is None else StoredPolicy(policy.id, callback_policy(session, policy))


def choose_policy(policies: list[Policy], today: date, reached: set[int]) -> Policy | None:
    """Which of a number's policies an inbound call is about.

    The nearest 犹豫期 deadline not yet passed, preferring policies whose holder has not yet
    gone through the script (their callback is still owed); when every deadline has passed,
    the newest policy (`policies` comes newest first).
    """
    open_ = [p for p in policies if p.cooling_off_deadline >= today]
    if not open_:
        return policies[0] if policies else None
    return min(open_, key=lambda p: (p.id in reached, p.cooling_off_deadline, p.policy_no))


def start_call_record(database: Database, policy_id: int | None, direction: CallDirection,
                      sip_uri: str, recordings_dir: Path | None = None) -> CallStart:
    """A call record with only its start (committed now, so a crash leaves a trace).

    With `recordings_dir`, the recording's path is chosen and stored now too: a process killed
    mid-call leaves a record that already points at its (recovered) recording.
    """
    with database.session() as session:
        repo = Repository(session)
        policy = None if policy_id is None else session.get(Policy, policy_id)
        call = repo.start_call(policy, direction, sip_uri, owner=database.owner)
        session.flush()  # the id names the file
        recording = None
        if recordings_dir is not None:
            recording = recordings_dir / f"call-{call.id}-{uuid.uuid4().hex[:8]}.wav"
            call.recording_path = str(recording)
        return CallStart(call.id, recording)


@dataclass(frozen=True)
class CallStart:
    """A stored call's id, and where its recording goes (None: not recorded)."""

    call_id: int
    recording: Path | None


def finish_call_record(database: Database, call_id: int, ended: CallEnded,
                       events: Iterable[SessionEvent] = ()) -> None:
    """How the call ended, its recording, and the dialogue's item answers and problem cases."""
    dialogue = [e for e in events if isinstance(e, _DIALOGUE_TYPES)]
    with database.session() as session:
        repo = Repository(session)
        call = _call(session.get(CallRecord, call_id), call_id)
        repo.finish_call(call, ended.outcome.value, recording_path=ended.recording)
        if ended.recording is None:  # never answered: the path chosen at the start has no file
            call.recording_path = None
        if dialogue:
            repo.record_dialogue(call, dialogue)


def fail_call_record(database: Database, call_id: int) -> None:
    """A call that broke off inside huifang (an error, a cancelled task): outcome failed."""
    with database.session() as session:
        call = _call(session.get(CallRecord, call_id), call_id)
        if call.ended_at is None:
            Repository(session).finish_call(call, CallOutcome.FAILED.value, datetime.now(UTC))
        if call.recording_path and not Path(call.recording_path).exists():
            call.recording_path = None


def _call(call: CallRecord | None, call_id: int) -> CallRecord:
    if call is None:
        raise LookupError(f"call record {call_id} vanished from the database")
    return call
