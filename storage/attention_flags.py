"""Flags on policies sold by someone on the special-attention list (特别关注).

A policy is flagged once per list entry it falls under: when it is imported (its seller was
listed on its sign date), or when an entry is reported or moved to observation (the policies
already imported, signed since the entry took effect and still in their 犹豫期).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from storage.attention_match import SalesChannel, covers, subject_label
from storage.attention_models import (
    AttentionEntry,
    AttentionSubject,
    PolicyFlag,
    PolicyFlagKind,
)
from storage.models import Policy

# Policy ids per IN query: far below SQLite's and PostgreSQL's parameter limits.
_BATCH = 500


def flag_policies(session: Session, policies: Sequence[Policy], now: datetime) -> int:
    """Flag each policy whose seller was on the list on its sign date; the new flags' count."""
    if not policies:
        return 0
    session.flush()  # new policies need their ids
    earliest = min(policy.sign_date for policy in policies)
    candidates = list(
        session.scalars(
            select(AttentionEntry)
            .where(or_(AttentionEntry.revoked_on.is_(None), AttentionEntry.revoked_on > earliest))
            .order_by(AttentionEntry.id)
        )
    )
    if not candidates:
        return 0
    by_name: dict[str, list[AttentionEntry]] = defaultdict(list)
    for entry in candidates:
        by_name[entry.subject_name].append(entry)
    pairs = []
    for policy in policies:
        channel = SalesChannel.of(policy)
        named = {e.id: e for name in channel.names() for e in by_name.get(name, [])}
        pairs += [
            (policy, e) for _, e in sorted(named.items()) if covers(e, channel, policy.sign_date)
        ]
    return _raise(session, pairs, now)


def flag_open_policies(session: Session, entry: AttentionEntry, today: date, now: datetime) -> int:
    """Flag the policies signed since the entry took effect and still in their 犹豫期."""
    column = {
        AttentionSubject.SALESPERSON: Policy.salesperson,
        AttentionSubject.TEAM: Policy.team,
        AttentionSubject.BRANCH: Policy.branch,
    }[entry.subject_kind]
    query = select(Policy).where(
        Policy.sign_date >= entry.effective_from,
        Policy.cooling_off_deadline >= today,
        # Imported names are trimmed, not width-normalised: covers() below compares exactly.
        column == entry.subject_name,
    )
    pairs = [
        (policy, entry)
        for policy in session.scalars(query.order_by(Policy.id))
        if covers(entry, SalesChannel.of(policy), policy.sign_date)
    ]
    return _raise(session, pairs, now)


def policy_flags(session: Session, policy: Policy) -> list[PolicyFlag]:
    """The policy's flags, oldest first."""
    query = select(PolicyFlag).where(PolicyFlag.policy_id == policy.id).order_by(PolicyFlag.id)
    return list(session.scalars(query))


def flag_reason(entry: AttentionEntry) -> str:
    """Why a policy is flagged, for the agent and reviewer: who is listed, since when, why."""
    why = entry.changes[0].reason if entry.changes else ""
    reason = f"{subject_label(entry)}自{entry.effective_from.isoformat()}起列入特别关注名单"
    return f"{reason}：{why}" if why else reason


def _raise(session: Session, pairs: Iterable[tuple[Policy, AttentionEntry]], now: datetime) -> int:
    """Add a flag for each (policy, entry) pair not flagged yet; how many were added."""
    wanted = list(pairs)
    existing = _flagged(session, {policy.id for policy, _ in wanted})
    added = 0
    for policy, entry in wanted:
        if (policy.id, entry.id) in existing:
            continue
        session.add(
            PolicyFlag(
                policy_id=policy.id,
                kind=PolicyFlagKind.SPECIAL_ATTENTION,
                attention_entry_id=entry.id,
                reason=flag_reason(entry),
                raised_at=now,
            )
        )
        existing.add((policy.id, entry.id))
        added += 1
    session.flush()
    return added


def _flagged(session: Session, policy_ids: set[int]) -> set[tuple[int, int | None]]:
    """The (policy, entry) pairs among these policies that already carry an attention flag."""
    ids = sorted(policy_ids)
    found: set[tuple[int, int | None]] = set()
    for start in range(0, len(ids), _BATCH):
        query = select(PolicyFlag.policy_id, PolicyFlag.attention_entry_id).where(
            PolicyFlag.policy_id.in_(ids[start : start + _BATCH]),
            PolicyFlag.kind == PolicyFlagKind.SPECIAL_ATTENTION,
        )
        found.update((policy_id, entry_id) for policy_id, entry_id in session.execute(query))
    return found


def flagged_policy_count(session: Session, entry: AttentionEntry) -> int:
    """How many policies carry a flag for this entry."""
    query = (
        select(func.count())
        .select_from(PolicyFlag)
        .where(PolicyFlag.attention_entry_id == entry.id)
    )
    return session.scalar(query) or 0


def entry_flags(session: Session, entry: AttentionEntry) -> list[PolicyFlag]:
    """The flags raised for this entry, oldest first, their policies loaded."""
    query = (
        select(PolicyFlag)
        .where(PolicyFlag.attention_entry_id == entry.id)
        .options(selectinload(PolicyFlag.policy))
        .order_by(PolicyFlag.id)
    )
    return list(session.scalars(query))
