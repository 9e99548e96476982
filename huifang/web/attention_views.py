"""Special-attention entries as the console shows them: the list's lines, one entry with its
history and flagged policies; reasons masked for roles without the right to personal numbers."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.attention import entry_flags, flagged_policy_count, subject_label
from storage.attention_models import AttentionChange, AttentionEntry, PolicyFlag
from zhtext.personal_numbers import mask_personal_numbers


class AttentionLine(BaseModel):
    """One entry on the list: whom it names, where it stands, the latest reason."""

    id: int
    subject: str
    name: str
    within_branch: str
    label: str
    status: str
    effective_from: date
    revoked_on: date | None
    reason: str
    updated_at: datetime
    flagged_policies: int
    ground: str | None = None
    severity: str | None = None
    measures: list[str] = []
    dedicated_agent: str | None = None
    restricted_products: str = ""


class AttentionChangeOut(BaseModel):
    """One step of an entry's history."""

    from_status: str | None
    to_status: str
    effective_on: date
    reason: str
    changed_by: str
    changed_at: datetime
    basis: str | None = None


class FlaggedPolicy(BaseModel):
    """A policy flagged because of the entry, with who sold it and when the flag was raised."""

    policy_no: str
    holder_name: str
    product_name: str
    sign_date: date
    salesperson: str
    team: str
    branch: str
    raised_at: datetime


class AttentionDetail(AttentionLine):
    """An entry with its whole history and the policies flagged for it."""

    history: list[AttentionChangeOut]
    policies: list[FlaggedPolicy]


def lines_out(
    session: Session, found: list[AttentionEntry], *, masked: bool
) -> list[AttentionLine]:
    """The entries as the list's lines, their flagged-policy counts in one query."""
    query = (
        select(PolicyFlag.attention_entry_id, func.count())
        .where(PolicyFlag.attention_entry_id.is_not(None))
        .group_by(PolicyFlag.attention_entry_id)
    )
    counts = {entry_id: count for entry_id, count in session.execute(query)}
    return [_line(entry, counts.get(entry.id, 0), masked) for entry in found]


def line_out(session: Session, entry: AttentionEntry, *, masked: bool) -> AttentionLine:
    """The entry as a line of the list."""
    return _line(entry, flagged_policy_count(session, entry), masked)


def _line(entry: AttentionEntry, flagged: int, masked: bool) -> AttentionLine:
    last = entry.changes[-1].reason if entry.changes else ""
    return AttentionLine(
        id=entry.id, subject=entry.subject_kind.value, name=entry.subject_name,
        within_branch=entry.within_branch, label=subject_label(entry), status=entry.status.value,
        effective_from=entry.effective_from, revoked_on=entry.revoked_on,
        reason=_text(last, masked), updated_at=entry.updated_at,
        flagged_policies=flagged, ground=entry.ground.value if entry.ground else None,
        severity=entry.severity.value if entry.severity else None,
        measures=[m for m in entry.measures.split(",") if m],
        dedicated_agent=entry.dedicated_agent.username if entry.dedicated_agent else None,
        restricted_products=entry.restricted_products,
    )  # fmt: skip


def detail_out(session: Session, entry: AttentionEntry, *, masked: bool) -> AttentionDetail:
    """The entry with its history, oldest first, and its flagged policies."""
    line = line_out(session, entry, masked=masked)
    return AttentionDetail(
        **line.model_dump(),
        history=[_change_out(change, masked) for change in entry.changes],
        policies=[_policy_out(flag) for flag in entry_flags(session, entry)],
    )


def _change_out(change: AttentionChange, masked: bool) -> AttentionChangeOut:
    return AttentionChangeOut(
        from_status=change.from_status.value if change.from_status else None,
        to_status=change.to_status.value, effective_on=change.effective_on,
        reason=_text(change.reason, masked), changed_by=change.changed_by,
        changed_at=change.changed_at, basis=change.basis,
    )  # fmt: skip


def _policy_out(flag: PolicyFlag) -> FlaggedPolicy:
    policy = flag.policy
    return FlaggedPolicy(
        policy_no=policy.policy_no, holder_name=policy.holder_name,
        product_name=policy.product_name, sign_date=policy.sign_date,
        salesperson=policy.salesperson, team=policy.team, branch=policy.branch,
        raised_at=flag.raised_at,
    )  # fmt: skip


def _text(text: str, masked: bool) -> str:
    """Free text may quote a phone or ID number a reviewer need not see."""
    return mask_personal_numbers(text) if masked else text
