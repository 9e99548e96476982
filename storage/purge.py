"""The purge (到期删除): what retention lets go, listed first, removed only when asked.

A plan names the calls due at each stage — the recording file (and the voiceprints of the
database store, made of that voice), the transcript (utterances, and
what was heard in answer evidence and flags), the whole call with every row that depends on
it — then the policies whose legal floor has passed with all their calls, and counts what is
kept and why. A policy goes with the rows that are its own: phone changes, letters and visits,
problem cases, complaints, flags, assignments. Applying it deletes the files, then the rows,
and writes one audit entry with the counts and call and policy ids (never a name or number of
a person); the audit trail itself is kept, as the record of what was there and that it went.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Table, delete, func, or_, select, update
from sqlalchemy.orm import Session

from storage.analysis_models import CallFlag
from storage.attention_models import PhoneChangeRecord
from storage.audit import Actor, record_change
from storage.legal_holds import held_call_ids
from storage.models import (
    AnswerEvidence,
    Base,
    CallRecord,
    CaseStatus,
    ItemAnswer,
    Policy,
    ProblemCase,
)
from storage.retention import (
    DISPUTE_MINIMUM_YEARS,
    SHORT_TERM_MINIMUM_YEARS,
    RetentionPolicy,
    add_years,
    contract_end,
    legal_minimum_years,
)
from storage.retention_models import LegalHold
from storage.service_models import Complaint, ServiceRequest, ServiceStatus
from storage.transcript_models import CallUtterance
from storage.voiceprints import delete_call_voiceprints

log = logging.getLogger(__name__)
_CHUNK = 500


class KeptBecause:
    """Why a call old enough for some stage keeps everything (plan.kept's keys)."""

    HOLD = "legal_hold"
    DISPUTE = "open_dispute"
    NO_FIXED_END = "policy_without_fixed_end"
    NOT_DUE = "not_due"
    # A policy past its floor whose calls are not all going (held, disputed, not due, open).
    CALLS_KEPT = "calls_kept"
    # A policy with a policy-service (保全) request still being handled.
    OPEN_REQUEST = "open_service_request"


_HANDLED = (ServiceStatus.COMPLETED, ServiceStatus.WITHDRAWN)


@dataclass(frozen=True)
class PurgePlan:
    """Calls due per stage (a call removed whole is in `calls` only), policies due (all their
    calls in `calls`), and the kept counts of each."""

    as_of: datetime
    recordings: tuple[int, ...]
    transcripts: tuple[int, ...]
    calls: tuple[int, ...]
    kept: dict[str, int] = field(default_factory=dict)
    policies: tuple[int, ...] = ()
    policies_kept: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class PurgeResult:
    """What went: counts only, plus the files left because they lie outside the recordings."""

    recording_files: int
    recordings_missing: int
    recordings_outside: int
    utterances: int
    calls: int
    policies: int = 0
    voiceprints: int = 0
    voiceprint_files: int = 0  # a node's file store (HUIFANG_VOICEPRINTS_DIR)


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start:start + _CHUNK])


def _about(column_call: Any, column_policy: Any, call: CallRecord) -> Any:
    """Rows about this call or its policy (none by policy for a call without one)."""
    if call.policy_id is None:
        return column_call == call.id
    return or_(column_call == call.id, column_policy == call.policy_id)


def _dispute_ends(session: Session, call: CallRecord) -> tuple[bool, datetime | None]:
    """(a dispute on the call or its policy is open, when the last closed one closed)."""
    return _disputes(session, _about(ProblemCase.call_id, ProblemCase.policy_id, call),
                     _about(Complaint.call_id, Complaint.policy_id, call))


def _disputes(session: Session, case_where: Any, complaint_where: Any,
              ) -> tuple[bool, datetime | None]:
    """(a matching problem case or complaint is open, when the last closed one closed)."""
    open_, ends = False, []
    cases = select(ProblemCase.status, ProblemCase.closed_at).where(case_where)
    for status, closed_at in session.execute(cases):
        open_ |= status is not CaseStatus.CLOSED or closed_at is None
        ends.append(closed_at)
    complaints = select(Complaint.archived_at).where(complaint_where)
    for (archived_at,) in session.execute(complaints):
        open_ |= archived_at is None
        ends.append(archived_at)
    closed = [end for end in ends if end is not None]
    return open_, max(closed) if closed else None


def _floor(session: Session, call: CallRecord) -> datetime | str:
    """The earliest moment the law lets any of this call go, or the KeptBecause reason."""
    floor = call.started_at
    if call.policy is not None:
        end = contract_end(call.policy)
        if end is None:
            return KeptBecause.NO_FIXED_END
        floor = max(floor, add_years(end, legal_minimum_years(call.policy)))
    dispute_open, dispute_end = _dispute_ends(session, call)
    if dispute_open:
        return KeptBecause.DISPUTE
    if dispute_end is not None:
        floor = max(floor, add_years(dispute_end, DISPUTE_MINIMUM_YEARS))
    return floor


def _has_transcript(session: Session, ids: list[int]) -> set[int]:
    """Which of these calls still hold any heard text."""
    utterances = select(CallUtterance.call_id).where(CallUtterance.call_id.in_(ids))
    found = set(session.scalars(utterances))
    evidence = (select(ItemAnswer.call_id).join(AnswerEvidence)
                .where(ItemAnswer.call_id.in_(ids), AnswerEvidence.text != ""))
    flags = select(CallFlag.call_id).where(CallFlag.call_id.in_(ids), CallFlag.utterance != "")
    return found | set(session.scalars(evidence)) | set(session.scalars(flags))


def plan_purge(session: Session, policy: RetentionPolicy, as_of: datetime) -> PurgePlan:
    """What a purge at `as_of` would remove; nothing is changed."""
    shortest = min(policy.recordings_years, policy.transcripts_years, policy.calls_years)
    old = select(CallRecord).where(CallRecord.ended_at.is_not(None),
                                   CallRecord.started_at < add_years(as_of, -shortest))
    recordings: list[int] = []
    transcripts: list[int] = []
    calls: list[int] = []
    kept: Counter[str] = Counter()
    candidates = list(session.scalars(old.order_by(CallRecord.id)))
    held: set[int] = set()
    for chunk in _chunks([call.id for call in candidates]):
        held |= held_call_ids(session, chunk)
    due_transcripts: list[int] = []
    for call in candidates:
        floor = KeptBecause.HOLD if call.id in held else _floor(session, call)
        if isinstance(floor, str):
            kept[floor] += 1
            continue
        stages = {years: as_of >= max(floor, add_years(call.started_at, years))
                  for years in (policy.recordings_years, policy.transcripts_years,
                                policy.calls_years)}
        if stages[policy.calls_years]:
            calls.append(call.id)
            continue
        if stages[policy.recordings_years] and call.recording_path is not None:
            recordings.append(call.id)
        if stages[policy.transcripts_years]:
            due_transcripts.append(call.id)
        if not stages[policy.recordings_years] and not stages[policy.transcripts_years]:
            kept[KeptBecause.NOT_DUE] += 1
    for chunk in _chunks(due_transcripts):
        transcripts.extend(sorted(_has_transcript(session, chunk)))
    policies, policies_kept = _due_policies(session, as_of, set(calls))
    return PurgePlan(as_of, tuple(recordings), tuple(transcripts), tuple(calls), dict(kept),
                     policies, policies_kept)


def _policy_kept(session: Session, policy: Policy, as_of: datetime,
                 going_calls: set[int]) -> str | None:
    """Why this policy past its floor stays (a KeptBecause reason), None if it may go."""
    held = select(LegalHold.id).where(LegalHold.policy_id == policy.id,
                                      LegalHold.cleared_at.is_(None))
    if session.scalar(held.limit(1)) is not None:
        return KeptBecause.HOLD
    dispute_open, dispute_end = _disputes(session, ProblemCase.policy_id == policy.id,
                                          Complaint.policy_id == policy.id)
    if dispute_open or (dispute_end is not None
                        and as_of < add_years(dispute_end, DISPUTE_MINIMUM_YEARS)):
        return KeptBecause.DISPUTE
    handling = select(ServiceRequest.id).where(ServiceRequest.policy_id == policy.id,
                                                ServiceRequest.status.not_in(_HANDLED))
    if session.scalar(handling.limit(1)) is not None:
        return KeptBecause.OPEN_REQUEST
    calls = session.scalars(select(CallRecord.id).where(CallRecord.policy_id == policy.id))
    if not set(calls) <= going_calls:
        return KeptBecause.CALLS_KEPT
    return None


def _due_policies(session: Session, as_of: datetime, going_calls: set[int],
                  ) -> tuple[tuple[int, ...], dict[str, int]]:
    """The policies a purge at `as_of` removes, and why the others past their floor stay."""
    earliest = add_years(as_of, -SHORT_TERM_MINIMUM_YEARS).date()
    ended = select(Policy).where(or_(
        Policy.ended_on <= earliest,
        Policy.ended_on.is_(None) & Policy.coverage_months.is_not(None)
        & (Policy.sign_date <= earliest),
    )).order_by(Policy.id)  # fmt: skip
    due: list[int] = []
    kept: Counter[str] = Counter()
    for policy in session.scalars(ended):
        end = contract_end(policy)
        if end is None or as_of < add_years(end, legal_minimum_years(policy)):
            continue
        reason = _policy_kept(session, policy, as_of, going_calls)
        if reason is None:
            due.append(policy.id)
        else:
            kept[reason] += 1
    return tuple(due), dict(kept)


def _unlink(path_text: str, roots: Sequence[Path]) -> str:
    """Remove one recording file: "removed", "missing", or "outside" (left: not ours)."""
    path = Path(path_text).resolve()
    if not any(path.is_relative_to(root.resolve()) for root in roots):
        return "outside"
    try:
        path.unlink()
    except FileNotFoundError:
        return "missing"
    return "removed"


def _referrers(table: Table) -> Iterator[tuple[Table, str, bool]]:
    """(table, column, nullable) of every foreign key pointing at `table`."""
    for other in Base.metadata.sorted_tables:
        for key in other.foreign_keys:
            if key.column.table is table:
                yield other, key.parent.name, bool(key.parent.nullable)


def _remove_rows(session: Session, table: Table, ids: list[int]) -> None:
    """Delete these rows and every row that cannot live without them; references that may be
    empty (a problem case's call, a campaign attempt's call) are emptied instead."""
    if not ids:
        return
    for other, column, nullable in list(_referrers(table)):
        where = other.c[column].in_(ids)
        if nullable:
            session.execute(update(other).where(where).values({column: None}))
        else:
            dependants = list(session.scalars(select(_key(other)).where(where)))
            _remove_rows(session, other, dependants)
    session.execute(delete(table).where(_key(table).in_(ids)))


def _key(table: Table) -> Any:
    """The table's one primary-key column (every huifang table has a single-column key)."""
    (column,) = table.primary_key.columns
    return column


def _remove_recordings(session: Session, ids: Sequence[int], roots: Sequence[Path],
                       counts: Counter[str]) -> None:
    """Delete the calls' recording files; forget the path of each one removed or missing."""
    for chunk in _chunks(ids):
        query = select(CallRecord).where(CallRecord.id.in_(chunk),
                                         CallRecord.recording_path.is_not(None))
        for call in session.scalars(query):
            assert call.recording_path is not None
            outcome = _unlink(call.recording_path, roots)
            counts[outcome] += 1
            if outcome != "outside":
                call.recording_path = None
    session.flush()


def _remove_transcripts(session: Session, ids: Sequence[int], counts: Counter[str]) -> None:
    """Delete the calls' utterances and blank the heard text in evidence and flags."""
    for chunk in _chunks(ids):
        where = CallUtterance.call_id.in_(chunk)
        counts["utterances"] += session.scalar(
            select(func.count()).select_from(CallUtterance).where(where)) or 0
        session.execute(delete(CallUtterance).where(where))
        answers = select(ItemAnswer.id).where(ItemAnswer.call_id.in_(chunk))
        session.execute(update(AnswerEvidence).where(AnswerEvidence.item_answer_id.in_(answers))
                        .values(text=""))
        session.execute(update(CallFlag).where(CallFlag.call_id.in_(chunk))
                        .values(utterance="", matched=""))


def apply_purge(session: Session, plan: PurgePlan, actor: Actor,
                recording_roots: Sequence[Path],
                remove_file_voiceprints: Callable[[Sequence[int]], int] | None = None,
                ) -> PurgeResult:
    """Remove what the plan names (files first, then rows) and write one audit entry.

    Recording files are removed only under `recording_roots`; one elsewhere is left, counted,
    and its call keeps the path (and the call itself, so nothing is lost track of).
    `remove_file_voiceprints` deletes the calls' voiceprints kept outside the database (a
    node's file store) and says how many."""
    counts: Counter[str] = Counter()
    _remove_recordings(session, [*plan.recordings, *plan.calls], recording_roots, counts)
    _remove_transcripts(session, [*plan.transcripts, *plan.calls], counts)
    # A voiceprint is made of the recorded voice: it goes when the recording does (also where
    # the file lies outside the recordings folder), from every node's cache at its next search.
    # Late (it locks the voiceprints' state row until the commit), before the calls' rows.
    voiceprints = delete_call_voiceprints(session, [*plan.recordings, *plan.calls])
    voiceprint_files = (remove_file_voiceprints([*plan.recordings, *plan.calls])
                        if remove_file_voiceprints is not None else 0)
    outside = set(session.scalars(select(CallRecord.id).where(
        CallRecord.id.in_(plan.calls), CallRecord.recording_path.is_not(None))))
    calls = [call_id for call_id in plan.calls if call_id not in outside]
    for chunk in _chunks(calls):
        _remove_rows(session, CallRecord.__table__, chunk)  # type: ignore[arg-type]
    policies = _remove_policies(session, plan.policies)
    result = PurgeResult(counts["removed"], counts["missing"], counts["outside"],
                         counts["utterances"], len(calls), len(policies), voiceprints,
                         voiceprint_files)
    record_change(session, actor, "retention.purge", "calls", 0, None, {
        "as_of": plan.as_of, "recording_files": result.recording_files,
        "recordings_missing": result.recordings_missing,
        "recordings_outside": result.recordings_outside, "utterances": result.utterances,
        "calls": result.calls, "recording_call_ids": list(plan.recordings),
        "transcript_call_ids": list(plan.transcripts), "removed_call_ids": calls,
        "kept": plan.kept, "policies": result.policies, "removed_policy_ids": policies,
        "policies_kept": plan.policies_kept, "voiceprints": voiceprints,
        "voiceprint_files": voiceprint_files,
    })  # fmt: skip
    log.info("purge as of %s: %d recording files, %d utterances, %d calls, %d policies removed;"
             " %d recordings outside the recordings folder left", plan.as_of.date(),
             result.recording_files, result.utterances, result.calls, result.policies,
             result.recordings_outside)
    return result


def _remove_policies(session: Session, ids: Sequence[int]) -> list[int]:
    """Delete the policies and their own rows; one a call still names (its recording lay
    outside the recordings folder) is left. Returns the ids removed."""
    removed: list[int] = []
    for chunk in _chunks(ids):
        named = set(session.scalars(select(CallRecord.policy_id).where(
            CallRecord.policy_id.in_(chunk))))
        going = [policy_id for policy_id in chunk if policy_id not in named]
        if not going:
            continue
        numbers = list(session.scalars(select(Policy.policy_no).where(Policy.id.in_(going))))
        session.execute(delete(PhoneChangeRecord).where(PhoneChangeRecord.policy_no.in_(numbers)))
        complaints = list(session.scalars(select(Complaint.id).where(
            Complaint.policy_id.in_(going))))
        _remove_rows(session, Complaint.__table__, complaints)  # type: ignore[arg-type]
        _remove_rows(session, Policy.__table__, going)  # type: ignore[arg-type]
        removed.extend(going)
    session.expire_all()
    return removed
