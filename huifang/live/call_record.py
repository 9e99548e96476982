"""A live call's database record: opened for the agent before dialling, finished with its flags."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from agent_assist.events import Flag
from asr.events import Transcript, TranscriptPass
from huifang.callback.call_store import UnknownPolicyError
from ivr.events import CallEnded
from storage.analysis import store_flags
from storage.analysis_models import FlagKind
from storage.database import Database
from storage.models import CallDirection, CallRecord, User
from storage.repository import Repository
from storage.transcripts import replace_transcript


@dataclass(frozen=True)
class LiveCallRecord:
    """The stored call's id and the policy's number."""

    call_id: int
    policy_no: str


def open_live_call(database: Database, policy_no: str, agent_id: int, customer_uri: str
                   ) -> LiveCallRecord:
    """An outbound call record owned by the agent (committed before the INVITE goes out)."""
    with database.session() as session:
        repo = Repository(session)
        policy = repo.policy(policy_no)
        if policy is None:
            raise UnknownPolicyError(f"no policy {policy_no.strip()!r} in the database")
        if session.get(User, agent_id) is None:
            raise LookupError(f"no user {agent_id}")
        call = repo.start_call(policy, CallDirection.OUTBOUND, customer_uri,
                               owner=database.owner)
        call.agent_id = agent_id
        return LiveCallRecord(call.id, policy.policy_no)


def customer_uri_for(database: Database, policy_no: str, template: str) -> str:
    """The SIP URI of the policyholder's phone from a template like sip:{phone}@gateway."""
    with database.session() as session:
        policy = Repository(session).policy(policy_no)
        if policy is None:
            raise UnknownPolicyError(f"no policy {policy_no.strip()!r} in the database")
        return template.format(phone=policy.phone)


def assign_agent(database: Database, call_id: int, agent_id: int) -> None:
    """The call is now the agent's (a robot callback handed over): it is on their list."""
    with database.session() as session:
        _call(session.get(CallRecord, call_id), call_id).agent_id = agent_id


def finish_live_call(database: Database, call_id: int, ended: CallEnded | None,
                     live: list[Flag], whole_call: list[Flag],
                     heard: Sequence[Transcript] = ()) -> None:
    """How the call ended, its recording, every flag raised on it, what the agent saw."""
    with database.session() as session:
        call = _call(session.get(CallRecord, call_id), call_id)
        repo = Repository(session)
        if ended is None:
            repo.finish_call(call, "failed")
        else:
            repo.finish_call(call, ended.outcome.value, recording_path=ended.recording)
    store_live_flags(database, call_id, live, whole_call, heard)


def store_live_flags(database: Database, call_id: int, live: list[Flag],
                     whole_call: list[Flag], heard: Sequence[Transcript] = ()) -> None:
    """The call's real-time and whole-call flags and its live transcript, for the review."""
    with database.session() as session:
        call = _call(session.get(CallRecord, call_id), call_id)
        store_flags(session, call, live, kind=FlagKind.MISLEADING_SALE)
        store_flags(session, call, whole_call, kind=FlagKind.WHOLE_CALL)
        if heard:  # what the agent saw, kept beside any later after-call transcript
            replace_transcript(session, call_id, TranscriptPass.LIVE, heard)


def _call(call: CallRecord | None, call_id: int) -> CallRecord:
    if call is None:
        raise LookupError(f"call record {call_id} vanished from the database")
    return call
