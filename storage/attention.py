"""The special-attention list (特别关注): its lifecycle and the questions asked of it.

Salespeople, teams and branches go on the list as `reported` (发现) on a ground from a closed
list (a salesperson: one of the eight violation kinds) with a severity whose measures follow
(专人回访, 从严回访, 增加话术和调查, 限制销售险种); they move to `rectifying` (整改), then
`under_observation` (观察; a relapse sends them back to 整改), and end `revoked` (撤销) only
after a verification that found no violation, or after a clean monitoring period under
observation. A revoked subject reported again gets a new entry. Every move is kept in the
entry's history with who, when, the effective date and the reason.

Every function works in the caller's session and never commits (Database.session does), so
the `huifang attention` command and the web console share them. Refused requests raise
AttentionError with a stable `code` and a message fit to show the operator.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

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
    VIOLATION_KINDS,
    AttentionChange,
    AttentionEntry,
    AttentionGround,
    AttentionMeasure,
    AttentionSeverity,
    AttentionStatus,
    AttentionSubject,
)
from storage.attention_violations import violations_since
from storage.models import User, UserRole

__all__ = [
    "AttentionError",
    "Listing",
    "RevocationBasis",
    "SalesChannel",
    "active_on",
    "entries",
    "entry",
    "entry_flags",
    "flag_policies",
    "flagged_policy_count",
    "matching_entries",
    "measures_of",
    "observe_entry",
    "on_attention_list",
    "policy_flags",
    "rectify_entry",
    "report_entry",
    "revoke_entry",
    "status_on",
    "subject_label",
]

# 发现 → 整改 → 观察 → 撤销; a relapse under observation goes back to 整改, and a report a
# verification finds groundless may be revoked at once.
ALLOWED_MOVES = {
    AttentionStatus.REPORTED: (AttentionStatus.RECTIFYING, AttentionStatus.REVOKED),
    AttentionStatus.RECTIFYING: (AttentionStatus.UNDER_OBSERVATION, AttentionStatus.REVOKED),
    AttentionStatus.UNDER_OBSERVATION: (AttentionStatus.REVOKED, AttentionStatus.RECTIFYING),
    AttentionStatus.REVOKED: (),
}
# The measures each severity brings; 从严回访 and 增加话术和调查 are the stricter script.
MEASURES = {
    AttentionSeverity.MINOR: (AttentionMeasure.STRICT_CALLBACK, AttentionMeasure.MORE_QUESTIONS),
    AttentionSeverity.SERIOUS: (AttentionMeasure.STRICT_CALLBACK, AttentionMeasure.MORE_QUESTIONS,
                                AttentionMeasure.DEDICATED_AGENT),
    AttentionSeverity.GRAVE: (AttentionMeasure.STRICT_CALLBACK, AttentionMeasure.MORE_QUESTIONS,
                              AttentionMeasure.DEDICATED_AGENT, AttentionMeasure.RESTRICT_PRODUCTS),
}  # fmt: skip
# Revoking on a clean monitoring period: under observation this many days, no violation.
DEFAULT_MONITORING_DAYS = 90


class RevocationBasis(StrEnum):
    """Why an entry may come off the list."""

    VERIFICATION = "verification"  # 核查未发现违规
    CLEAN_PERIOD = "clean_period"  # 监测期内无违规记录
_NAME_LENGTH = 100
_BRANCH_LENGTH = 50
_ACTOR_LENGTH = 50


class AttentionError(ValueError):
    """A request the list refuses; `code`: not_found, illegal_transition, already_listed,
    empty_reason, bad_name, bad_actor, future_date, date_order, bad_ground, bad_agent,
    no_products, too_early, violations."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Listing:
    """Why and how hard a subject is listed: the ground, the severity and what it needs."""

    ground: AttentionGround
    severity: AttentionSeverity
    dedicated_agent: User | None = None  # 专人回访 (serious and grave)
    restricted_products: str = ""  # 限制销售险种 (grave): families or product names, ","


def report_entry(
    session: Session,
    subject: AttentionSubject,
    name: str,
    reason: str,
    *,
    listing: Listing,
    by: str,
    on: date | None = None,
    within_branch: str = "",
    now: datetime | None = None,
) -> AttentionEntry:
    """Put a salesperson, team or branch on the list from day `on` (default today).

    within_branch tells apart a salesperson or team whose name recurs in other branches.
    Flags the policies already imported that were signed since `on` and are still in their
    犹豫期, and gives those of a dedicated-agent listing to the named agent. Refused while the
    same subject has an entry that is not revoked.
    """
    now = _aware(now)
    _check_listing(subject, listing)
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
    measures = MEASURES[listing.severity]
    entry = AttentionEntry(
        subject_kind=subject, subject_name=name, within_branch=branch,
        status=AttentionStatus.REPORTED, effective_from=on, revoked_on=None,
        ground=listing.ground, severity=listing.severity,
        measures=",".join(m.value for m in measures),
        dedicated_agent_id=listing.dedicated_agent.id if listing.dedicated_agent else None,
        restricted_products=listing.restricted_products.strip(),
        created_at=now, updated_at=now,
    )  # fmt: skip
    entry.changes.append(_change(None, AttentionStatus.REPORTED, reason, on, by, now))
    session.add(entry)
    session.flush()
    _apply_measures(session, entry, now)
    return entry


def measures_of(entry: AttentionEntry) -> tuple[AttentionMeasure, ...]:
    """The entry's measures (none on entries from before severities)."""
    return tuple(AttentionMeasure(m) for m in entry.measures.split(",") if m)


def rectify_entry(
    session: Session, entry_id: int, reason: str, *, by: str, on: date | None = None,
    now: datetime | None = None,
) -> AttentionEntry:  # fmt: skip
    """Move a reported entry (or one that relapsed under observation) to 整改."""
    now = _aware(now)
    entry = _move(session, entry_id, AttentionStatus.RECTIFYING, reason, by, on, now)
    _apply_measures(session, entry, now)
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
    """Move a rectified entry to observation from day `on` (default today); flags as report does."""
    now = _aware(now)
    entry = _move(session, entry_id, AttentionStatus.UNDER_OBSERVATION, reason, by, on, now)
    _apply_measures(session, entry, now)
    return entry


def revoke_entry(
    session: Session,
    entry_id: int,
    reason: str,
    *,
    basis: RevocationBasis,
    by: str,
    on: date | None = None,
    now: datetime | None = None,
    monitoring_days: int = DEFAULT_MONITORING_DAYS,
) -> AttentionEntry:
    """Take an entry off the list from day `on` (default today); flags already raised stay.

    Only after a verification that found no violation (the reason says what was checked),
    or after `monitoring_days` under observation with no violation recorded.
    """
    now = _aware(now)
    if basis is RevocationBasis.CLEAN_PERIOD:
        _check_clean_period(session, entry(session, entry_id), on or now.astimezone().date(),
                            monitoring_days)  # fmt: skip
    entry_ = _move(session, entry_id, AttentionStatus.REVOKED, reason, by, on, now)
    entry_.changes[-1].basis = basis.value
    entry_.revoked_on = entry_.changes[-1].effective_on
    session.flush()
    return entry_


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


def _check_listing(subject: AttentionSubject, listing: Listing) -> None:
    """The ground fits the subject and the severity's measures have what they need."""
    if subject is AttentionSubject.SALESPERSON and listing.ground not in VIOLATION_KINDS:
        raise AttentionError("bad_ground", "a salesperson is listed for one of the eight "
                             f"violation kinds, not {listing.ground.value}")  # fmt: skip
    measures = MEASURES[listing.severity]
    agent = listing.dedicated_agent
    if AttentionMeasure.DEDICATED_AGENT in measures and (
            agent is None or not agent.active or agent.role is not UserRole.AGENT):  # fmt: skip
        raise AttentionError("bad_agent", f"a {listing.severity.value} listing needs an active "
                             "callback agent for 专人回访")  # fmt: skip
    if AttentionMeasure.RESTRICT_PRODUCTS in measures and not listing.restricted_products.strip():
        raise AttentionError("no_products", "a grave listing names the restricted products")


def _check_clean_period(session: Session, found: AttentionEntry, on: date, days: int) -> None:
    """Under observation for `days` up to `on`, and no violation recorded since it began."""
    if found.status is not AttentionStatus.UNDER_OBSERVATION:
        raise AttentionError("illegal_transition", f"entry {found.id} is {found.status.value}: "
                             "a clean period is counted under observation only")  # fmt: skip
    began = found.changes[-1].effective_on
    if (on - began).days < days:
        raise AttentionError("too_early", f"entry {found.id} has been under observation since "
                             f"{began}: the monitoring period is {days} days")  # fmt: skip
    found_violations = violations_since(session, found, began)
    if found_violations:
        raise AttentionError("violations", f"{found_violations} violation(s) recorded for "
                             f"{subject_label(found)} since {began}: not a clean period")


def _apply_measures(session: Session, found: AttentionEntry, now: datetime) -> None:
    """Flag the open policies, and give those needing 专人回访 to the named agent."""
    today = now.astimezone().date()
    flag_open_policies(session, found, today, now)
    if AttentionMeasure.DEDICATED_AGENT in measures_of(found):
        from storage.dedicated_callbacks import assign_open_policies

        assign_open_policies(session, found, today, now)


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
