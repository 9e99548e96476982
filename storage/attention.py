"""The special-attention list (特别关注): its lifecycle and the questions asked of it.

Salespeople, teams and branches go on the list as `reported`, may move to
`under_observation`, and end `revoked`; the status only moves forward, and a revoked subject
reported again gets a new entry. Every move is kept in the entry's history with who, when,
the effective date and the reason.

Every function works in the caller's session and never commits (Database.session does), so
the `huifang attention` command and the web console share them. Refused requests raise
AttentionError with a stable `code` and a message fit to show the operator.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from storage.attention_flags import (
    entry_flags,
    flag_open_policies,
    flag_policies,
    flagged_policy_count,
    policy_flags,
)
from storage.attention_match import (
    SalesChannel,
    active_on,
    matching_entries,
    normalise_name,
    on_attention_list,
    status_on,
    subject_label,
)
from storage.attention_models import (
    AttentionChange,
    AttentionEntry,
    AttentionStatus,
    AttentionSubject,
)

__all__ = [
    "AttentionError",
    "SalesChannel",
    "active_on",
    "entries",
    "entry",
    "entry_flags",
    "flag_policies",
    "flagged_policy_count",
    "matching_entries",
    "observe_entry",
    "on_attention_list",
    "policy_flags",
    "report_entry",
    "revoke_entry",
    "status_on",
    "subject_label",
]

# The moves each status allows: forward only; a report found groundless may be revoked at once.
ALLOWED_MOVES = {
    AttentionStatus.REPORTED: (AttentionStatus.UNDER_OBSERVATION, AttentionStatus.REVOKED),
    AttentionStatus.UNDER_OBSERVATION: (AttentionStatus.REVOKED,),
    AttentionStatus.REVOKED: (),
}
_NAME_LENGTH = 100
_BRANCH_LENGTH = 50
_ACTOR_LENGTH = 50


class AttentionError(ValueError):
    """A request the list refuses; `code`: not_found, illegal_transition, already_listed,
    empty_reason, bad_name, bad_actor, future_date, date_order."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def report_entry(
    session: Session,
    subject: AttentionSubject,
    name: str,
    reason: str,
    *,
    by: str,
    on: date | None = None,
    within_branch: str = "",
    now: datetime | None = None,
) -> AttentionEntry:
    """Put a salesperson, team or branch on the list from day `on` (default today).

    within_branch tells apart a salesperson or team whose name recurs in other branches.
    Flags the policies already imported that were signed since `on` and are still in their
    犹豫期. Refused while the same subject has an entry that is not revoked.
    """
    now = _aware(now)
    on = _effective_date(on, None, now)
    name = _checked_name(name, "name", _NAME_LENGTH)
    branch = normalise_name(within_branch)
    if branch and subject is AttentionSubject.BRANCH:
        raise AttentionError("bad_name", "within_branch applies to a salesperson or team only")
    if len(branch) > _BRANCH_LENGTH:
        raise AttentionError("bad_name", f"branch name longer than {_BRANCH_LENGTH} characters")
    current = _listed(session, subject, name, branch)
    if current is not None:
        raise AttentionError(
            "already_listed",
            f"{subject_label(current)} is already on the list as entry {current.id} "
            f"({current.status.value}); revoke it before reporting again",
        )
    entry = AttentionEntry(
        subject_kind=subject, subject_name=name, within_branch=branch,
        status=AttentionStatus.REPORTED, effective_from=on, revoked_on=None,
        created_at=now, updated_at=now,
    )  # fmt: skip
    entry.changes.append(_change(None, AttentionStatus.REPORTED, reason, on, by, now))
    session.add(entry)
    session.flush()
    flag_open_policies(session, entry, now.astimezone().date(), now)
    return entry


def observe_entry(
    session: Session,
    entry_id: int,
    reason: str,
    *,
    by: str,
    on: date | None = None,
    now: datetime | None = None,
) -> AttentionEntry:
    """Move a reported entry to observation from day `on` (default today); flags as report does."""
    now = _aware(now)
    entry = _move(session, entry_id, AttentionStatus.UNDER_OBSERVATION, reason, by, on, now)
    flag_open_policies(session, entry, now.astimezone().date(), now)
    return entry


def revoke_entry(
    session: Session,
    entry_id: int,
    reason: str,
    *,
    by: str,
    on: date | None = None,
    now: datetime | None = None,
) -> AttentionEntry:
    """Take an entry off the list from day `on` (default today); flags already raised stay."""
    now = _aware(now)
    entry = _move(session, entry_id, AttentionStatus.REVOKED, reason, by, on, now)
    entry.revoked_on = entry.changes[-1].effective_on
    session.flush()
    return entry


def entry(session: Session, entry_id: int) -> AttentionEntry:
    """The entry with its history loaded; AttentionError `not_found` if there is none."""
    query = (
        select(AttentionEntry)
        .where(AttentionEntry.id == entry_id)
        .options(selectinload(AttentionEntry.changes))
    )
    found = session.scalar(query)
    if found is None:
        raise AttentionError("not_found", f"no special-attention entry {entry_id}")
    return found


def entries(session: Session, status: AttentionStatus | None = None) -> list[AttentionEntry]:
    """The list's entries (optionally in one status), oldest first, histories loaded."""
    query = select(AttentionEntry).options(selectinload(AttentionEntry.changes))
    if status is not None:
        query = query.where(AttentionEntry.status == status)
    return list(session.scalars(query.order_by(AttentionEntry.id)))


def _move(
    session: Session,
    entry_id: int,
    to: AttentionStatus,
    reason: str,
    by: str,
    on: date | None,
    now: datetime,
) -> AttentionEntry:
    """Record one forward move, refusing illegal ones and dates before the last move."""
    found = entry(session, entry_id)
    if to not in ALLOWED_MOVES[found.status]:
        allowed = ", ".join(s.value for s in ALLOWED_MOVES[found.status]) or "none"
        raise AttentionError(
            "illegal_transition",
            f"entry {entry_id} is {found.status.value}: it cannot move to {to.value} "
            f"(allowed: {allowed}); a revoked subject is reported again as a new entry",
        )
    last = found.changes[-1].effective_on if found.changes else found.effective_from
    on = _effective_date(on, last, now)
    found.changes.append(_change(found.status, to, reason, on, by, now))
    found.status = to
    found.updated_at = now
    session.flush()
    return found


def _change(
    before: AttentionStatus | None,
    after: AttentionStatus,
    reason: str,
    on: date,
    by: str,
    now: datetime,
) -> AttentionChange:
    """A history row, its reason and actor checked."""
    text = reason.strip()
    if not text:
        raise AttentionError("empty_reason", "a reason is required for every change")
    actor = by.strip()
    if not actor or len(actor) > _ACTOR_LENGTH:
        raise AttentionError("bad_actor", f"who made the change: 1-{_ACTOR_LENGTH} characters")
    return AttentionChange(
        from_status=before, to_status=after, reason=text, effective_on=on,
        changed_by=actor, changed_at=now,
    )  # fmt: skip


def _listed(
    session: Session, subject: AttentionSubject, name: str, branch: str
) -> AttentionEntry | None:
    """The subject's entry that is not revoked, if any."""
    query = select(AttentionEntry).where(
        AttentionEntry.subject_kind == subject,
        AttentionEntry.subject_name == name,
        AttentionEntry.within_branch == branch,
        AttentionEntry.status != AttentionStatus.REVOKED,
    )
    return session.scalars(query).first()


def _checked_name(text: str, what: str, length: int) -> str:
    """The normalised name; AttentionError when it is empty or too long."""
    name = normalise_name(text)
    if not name:
        raise AttentionError("bad_name", f"empty {what}")
    if len(name) > length:
        raise AttentionError("bad_name", f"{what} longer than {length} characters: {name!r}")
    return name


def _effective_date(on: date | None, not_before: date | None, now: datetime) -> date:
    """The day a change takes effect: today by default, never in the future or before the last."""
    today = now.astimezone().date()
    on = on or today
    if on > today:
        raise AttentionError("future_date", f"effective date {on} is in the future")
    if not_before is not None and on < not_before:
        raise AttentionError(
            "date_order", f"effective date {on} is before the entry's last change ({not_before})"
        )
    return on


def _aware(now: datetime | None) -> datetime:
    """The time of the change: now by default; a naive time is refused by the columns anyway."""
    return now or datetime.now(UTC)
