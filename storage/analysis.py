"""Stored analysis results: a call's flags written, replaced on re-analysis, and read back.

The review console lists calls through calls_with_flags (by flag kind, severity, category,
salesperson, team, branch, product, agent, call date, undecided flags); everything here works
on the caller's session and leaves committing to it (Database.session).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, case, delete, exists, func, select
from sqlalchemy.orm import Session, selectinload

from agent_assist.events import CueKind, Flag, Severity, VoiceCue
from agent_assist.phone_cues import PhoneCue
from storage.analysis_models import CallFlag, CallFlagPolicy, FlagKind
from storage.models import CallRecord, Policy
from storage.review_models import FlagDisposition

# What store_flags accepts: the analysers' own events, or a row built by the caller
# (e.g. a special-attention flag).
Flaggable = Flag | VoiceCue | PhoneCue | CallFlag

SEVERITY_RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2}


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def flag_row(item: Flaggable, raised_at: datetime, kind: FlagKind | None = None) -> CallFlag:
    """The row for one flag or cue; kind tells a whole-call Flag from a real-time one."""
    if isinstance(item, CallFlag):
        if item.raised_at is None:  # a row built by the caller takes the batch's time
            item.raised_at = raised_at
        return item
    if isinstance(item, Flag):
        return _rule_row(item, kind or FlagKind.MISLEADING_SALE, raised_at)
    if isinstance(item, VoiceCue):
        return _voice_row(item, raised_at)
    return _phone_row(item, raised_at)


def _rule_row(flag: Flag, kind: FlagKind, raised_at: datetime) -> CallFlag:
    return CallFlag(
        kind=kind, rule_id=flag.rule_id, category=flag.category.value,
        subcategory=flag.subcategory, severity=flag.severity, leg=flag.leg,
        utterance=flag.text, start_ms=_ms(flag.start), end_ms=_ms(flag.end),
        span_start=flag.span[0], span_end=flag.span[1], matched=flag.matched,
        explanation=flag.explanation, suggested_wording=flag.suggested_wording, reasons=[],
        attributed=flag.attributed, via_pinyin=flag.via_pinyin, raised_at=raised_at,
    )


def _voice_row(cue: VoiceCue, raised_at: datetime) -> CallFlag:
    duplicate = cue.kind == CueKind.DUPLICATE_VOICE
    best: dict[str, float] = {}
    for policy_no, score in cue.other_policies:  # one policy may match on several calls
        best[policy_no] = max(score, best.get(policy_no, score))
    return CallFlag(
        kind=FlagKind.DUPLICATE_VOICE if duplicate else FlagKind.VOICE_CUE,
        rule_id=cue.kind.value, category=cue.kind.value, subcategory="", severity=cue.severity,
        leg=cue.leg, utterance="", matched="", explanation=cue.message, suggested_wording="",
        start_ms=_ms(cue.start) if cue.end else None, end_ms=_ms(cue.end) if cue.end else None,
        reasons=list(cue.reasons), confidence=cue.confidence or None,
        attributed=False, via_pinyin=False, raised_at=raised_at,
        policies=[CallFlagPolicy(policy_no=no, score=score) for no, score in best.items()],
    )


def _phone_row(cue: PhoneCue, raised_at: datetime) -> CallFlag:
    return CallFlag(
        kind=FlagKind.PHONE_CUE, rule_id=cue.kind.value, category=cue.kind.value,
        subcategory="", severity=cue.severity, leg=None, utterance="", matched="",
        explanation=cue.message, suggested_wording="", reasons=[f"{cue.span_days}天内"],
        attributed=False, via_pinyin=False, raised_at=raised_at,
        policies=[CallFlagPolicy(policy_no=no) for no in dict.fromkeys(cue.policy_nos)],
    )


def store_flags(
    session: Session,
    call: CallRecord,
    flags: Iterable[Flaggable],
    *,
    kind: FlagKind | None = None,
    raised_at: datetime | None = None,
) -> list[CallFlag]:
    """Add the flags to the call (kind applies to bare Flags: whole-call or real-time)."""
    when = raised_at or datetime.now(UTC)
    rows = [flag_row(item, when, kind) for item in flags]
    for row in rows:
        row.call = call
    session.add_all(rows)
    session.flush()
    return rows


def refresh_flag(session: Session, flag_id: int, item: Flag, kind: FlagKind) -> None:
    """Give a stored rule flag the evidence of a later sighting (a final after its partial)."""
    row = session.get(CallFlag, flag_id)
    if row is None:
        return
    fresh = _rule_row(item, kind, row.raised_at)
    for column in ("utterance", "start_ms", "end_ms", "span_start", "span_end", "matched",
                   "attributed", "via_pinyin"):
        setattr(row, column, getattr(fresh, column))


def _evidence_key(flag: CallFlag) -> tuple[object, ...]:
    """What makes two flags the same finding: rule, whose words, where in the call."""
    return (flag.kind, flag.rule_id, flag.leg, flag.start_ms, flag.end_ms, flag.span_start,
            flag.span_end)


def replace_flags(
    session: Session, call: CallRecord, kinds: Iterable[FlagKind], flags: Iterable[Flaggable]
) -> list[CallFlag]:
    """Replace the call's flags of these kinds with `flags`: re-analysis never doubles.

    A flag a reviewer has already decided on is kept with its decision, and the same finding
    is not stored again beside it; only undecided flags are dropped. Returns the rows added.
    """
    wanted = list(kinds)
    of_kinds = (CallFlag.call_id == call.id, CallFlag.kind.in_(wanted))
    decided = select(FlagDisposition.flag_id).where(FlagDisposition.flag_id == CallFlag.id)
    kept = list(session.scalars(select(CallFlag).where(*of_kinds, exists(decided))))
    stale = select(CallFlag.id).where(*of_kinds, ~exists(decided))
    session.execute(delete(CallFlagPolicy).where(CallFlagPolicy.flag_id.in_(stale)))
    session.execute(
        delete(CallFlag).where(CallFlag.id.in_(stale)),
        execution_options={"synchronize_session": "fetch"},
    )
    when = datetime.now(UTC)
    reviewed = {_evidence_key(flag) for flag in kept}
    fresh = [row for row in (flag_row(item, when) for item in flags)
             if _evidence_key(row) not in reviewed]
    return store_flags(session, call, fresh, raised_at=when)


def flags_for_call(
    session: Session, call_id: int, kinds: Sequence[FlagKind] = ()
) -> list[CallFlag]:
    """A call's flags in call order (timed ones by start, then policy-level cues)."""
    query = select(CallFlag).where(CallFlag.call_id == call_id)
    if kinds:
        query = query.where(CallFlag.kind.in_(kinds))
    query = query.options(selectinload(CallFlag.policies)).order_by(
        CallFlag.start_ms.is_(None), CallFlag.start_ms, CallFlag.id
    )
    return list(session.scalars(query))


def call_for_recording(session: Session, recording_path: str) -> CallRecord | None:
    """The call stored for this recording (the earliest, if several claim it)."""
    query = (
        select(CallRecord)
        .where(CallRecord.recording_path == recording_path)
        .order_by(CallRecord.id)
        .limit(1)
    )
    return session.scalar(query)


@dataclass(frozen=True, slots=True)
class FlagFilter:
    """Which flagged calls to list; empty fields do not filter. Dates are the call's start."""

    kinds: tuple[FlagKind, ...] = ()
    min_severity: Severity | None = None
    categories: tuple[str, ...] = ()
    salesperson: str | None = None
    team: str | None = None
    branch: str | None = None
    product: str | None = None  # the policy's product name
    agent_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None  # exclusive
    undecided_only: bool = False  # only flags no reviewer has confirmed or dismissed yet


@dataclass(frozen=True, slots=True)
class FlaggedCall:
    """A call (its policy loaded) with those of its flags the filter matched."""

    call: CallRecord
    flags: list[CallFlag]

    @property
    def top_severity(self) -> Severity:
        """The most severe of the matched flags."""
        return max((f.severity for f in self.flags), key=SEVERITY_RANK.__getitem__)


def _flag_conditions(wanted: FlagFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if wanted.kinds:
        conditions.append(CallFlag.kind.in_(wanted.kinds))
    if wanted.min_severity is not None:
        floor = SEVERITY_RANK[wanted.min_severity]
        severe = [severity for severity, rank in SEVERITY_RANK.items() if rank >= floor]
        conditions.append(CallFlag.severity.in_(severe))
    if wanted.categories:
        conditions.append(CallFlag.category.in_(wanted.categories))
    if wanted.undecided_only:
        # Correlated on the flag alone: sorted by "undecided", the outer query joins the
        # dispositions too, and auto-correlation would leave this subquery no FROM at all.
        decided = (select(FlagDisposition.flag_id)
                   .where(FlagDisposition.flag_id == CallFlag.id).correlate(CallFlag))
        conditions.append(~exists(decided))
    return conditions


def _call_conditions(wanted: FlagFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    for column, value in (
        (Policy.salesperson, wanted.salesperson),
        (Policy.team, wanted.team),
        (Policy.branch, wanted.branch),
        (Policy.product_name, wanted.product),
    ):
        if value is not None:
            conditions.append(column == value)
    if wanted.agent_id is not None:
        conditions.append(CallRecord.agent_id == wanted.agent_id)
    if wanted.since is not None:
        conditions.append(CallRecord.started_at >= wanted.since)
    if wanted.until is not None:
        conditions.append(CallRecord.started_at < wanted.until)
    return conditions


def _matching_call_ids(wanted: FlagFilter) -> tuple[ColumnElement[bool], ...]:
    return (*_flag_conditions(wanted), *_call_conditions(wanted))


def count_calls_with_flags(session: Session, wanted: FlagFilter = FlagFilter()) -> int:
    """How many calls calls_with_flags would list without a limit (for paging)."""
    query = (
        select(func.count(func.distinct(CallRecord.id)))
        .join(CallFlag, CallFlag.call_id == CallRecord.id)
        .outerjoin(Policy, Policy.id == CallRecord.policy_id)
        .where(*_matching_call_ids(wanted))
    )
    return session.scalar(query) or 0


class QueueOrder(StrEnum):
    """What the review queue is sorted by; ties go to the most recently flagged call."""

    FLAGGED_AT = "flagged_at"  # the latest matching flag
    STARTED_AT = "started_at"  # when the call started
    SEVERITY = "severity"  # the most severe matching flag
    UNDECIDED = "undecided"  # matching flags no reviewer has decided on yet
    SALESPERSON = "salesperson"


def _order_key(order: QueueOrder) -> ColumnElement[Any]:
    """The aggregate over one call's matching flags that the queue sorts by."""
    if order is QueueOrder.STARTED_AT:
        return func.max(CallRecord.started_at)
    if order is QueueOrder.SEVERITY:
        return func.max(case(SEVERITY_RANK, value=CallFlag.severity, else_=-1))
    if order is QueueOrder.UNDECIDED:
        return func.count(CallFlag.id) - func.count(FlagDisposition.flag_id)
    if order is QueueOrder.SALESPERSON:
        return func.max(Policy.salesperson)
    return func.max(CallFlag.raised_at)


def flagged_call_ids(
    session: Session, wanted: FlagFilter = FlagFilter(), *,
    order: QueueOrder = QueueOrder.FLAGGED_AT, descending: bool = True,
    limit: int | None = None, offset: int = 0,
) -> list[int]:
    """The ids of calls with a matching flag, in queue order (one query, ids only)."""
    key = _order_key(order)
    latest = func.max(CallFlag.raised_at)
    query = (
        select(CallRecord.id)
        .join(CallFlag, CallFlag.call_id == CallRecord.id)
        .outerjoin(Policy, Policy.id == CallRecord.policy_id)
        .where(*_matching_call_ids(wanted))
        .group_by(CallRecord.id)
    )
    if order is QueueOrder.UNDECIDED:
        query = query.outerjoin(FlagDisposition, FlagDisposition.flag_id == CallFlag.id)
    ranked = key.desc() if descending else key.asc()
    query = query.order_by(ranked, latest.desc(), CallRecord.id.desc()).offset(offset)
    return list(session.scalars(query if limit is None else query.limit(limit)))


def calls_with_flags(
    session: Session, wanted: FlagFilter = FlagFilter(), *, limit: int = 100, offset: int = 0,
    order: QueueOrder = QueueOrder.FLAGGED_AT, descending: bool = True,
) -> list[FlaggedCall]:
    """Calls with at least one matching flag, in queue order (default: most recently flagged
    first), with those flags."""
    ids = flagged_call_ids(session, wanted, order=order, descending=descending, limit=limit,
                           offset=offset)  # fmt: skip
    if not ids:
        return []
    calls = session.scalars(
        select(CallRecord).where(CallRecord.id.in_(ids)).options(selectinload(CallRecord.policy))
    )
    by_id = {call.id: call for call in calls}
    flags = session.scalars(
        select(CallFlag)
        .where(CallFlag.call_id.in_(ids), *_flag_conditions(wanted))
        .options(selectinload(CallFlag.policies))
        .order_by(CallFlag.start_ms.is_(None), CallFlag.start_ms, CallFlag.id)
    )
    grouped: dict[int, list[CallFlag]] = {call_id: [] for call_id in ids}
    for flag in flags:
        grouped[flag.call_id].append(flag)
    return [FlaggedCall(by_id[call_id], grouped[call_id]) for call_id in ids]
