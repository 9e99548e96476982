"""Stored phone changes: importing a policy-service change export, and reading them back.

Times in the export without a zone are Beijing time (the insurer's systems run on it); they
are stored in UTC like every time, and handed back as naive Beijing times, the form the
phone cues compare with sign dates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent_assist.phone_change_file import read_phone_change_rows
from agent_assist.phone_records import BEIJING, PhoneChange
from storage.attention_models import PhoneChangeRecord
from storage.database import Database
from storage.masking import mask_phone

# Policy numbers per IN query: far below SQLite's and PostgreSQL's parameter limits.
_BATCH = 500
_SOURCE_LENGTH = 255

ChangeKey = tuple[str, datetime, str, str]


@dataclass
class PhoneChangeImportReport:
    """What an import did: counts per fate, and one `line N: …` problem per bad row."""

    imported: int = 0
    unchanged: int = 0
    rejected: int = 0
    problems: list[str] = field(default_factory=list)
    policy_nos: list[str] = field(default_factory=list)  # the good rows' policies, once each


def import_phone_change_file(
    db: Database, path: Path, source: str | None = None, now: datetime | None = None
) -> PhoneChangeImportReport:
    """Store the file's good rows (a change already stored is left alone), in one transaction.

    Raises agent_assist.phone_change_file.PhoneChangeFileError when the file cannot be read.
    """
    now = now or datetime.now(UTC)
    rows = read_phone_change_rows(path)
    report = PhoneChangeImportReport(problems=list(rows.problems))
    good: dict[ChangeKey, PhoneChange] = {}
    invalid = 0
    for line, change in rows.changes:
        problem = _problem(change, now)
        if problem:
            report.problems.append(f"line {line}: {problem}")
            invalid += 1
        else:
            good.setdefault(_key(change), change)  # a repeated line is the same fact
    report.rejected = rows.rows - len(rows.changes) + invalid
    report.unchanged = len(rows.changes) - invalid - len(good)  # lines repeating another
    report.policy_nos = list(dict.fromkeys(key[0] for key in good))
    label = (source or path.name)[:_SOURCE_LENGTH]
    with db.session() as session:
        stored = _stored_keys(session, {key[0] for key in good})
        for key, change in good.items():
            if key in stored:
                report.unchanged += 1
                continue
            session.add(_record(change, label, now))
            report.imported += 1
    return report


def stored_phone_changes(session: Session, policy_nos: Iterable[str]) -> list[PhoneChange]:
    """The stored changes of these policies, oldest first, times as naive Beijing times."""
    wanted = sorted(set(policy_nos))
    found: list[PhoneChangeRecord] = []
    for start in range(0, len(wanted), _BATCH):
        query = select(PhoneChangeRecord).where(
            PhoneChangeRecord.policy_no.in_(wanted[start : start + _BATCH])
        )
        found.extend(session.scalars(query))
    found.sort(key=lambda r: (r.changed_at, r.policy_no, r.id))
    return [
        PhoneChange(
            policy_no=r.policy_no,
            old_phone=r.old_phone,
            new_phone=r.new_phone,
            changed_at=r.changed_at,  # PhoneChange turns it into Beijing time
        )
        for r in found
    ]


def phone_change_records(session: Session, policy_no: str) -> list[PhoneChangeRecord]:
    """One policy's stored changes, oldest first."""
    query = (
        select(PhoneChangeRecord)
        .where(PhoneChangeRecord.policy_no == policy_no.strip().upper())
        .order_by(PhoneChangeRecord.changed_at, PhoneChangeRecord.id)
    )
    return list(session.scalars(query))


def phone_change_view(record: PhoneChangeRecord, *, masked: bool = True) -> dict[str, Any]:
    """A stored change as a JSON-ready dict, numbers masked unless asked, time in Beijing."""
    show = mask_phone if masked else str
    return {
        "old_phone": show(record.old_phone),
        "new_phone": show(record.new_phone),
        "changed_at": record.changed_at.astimezone(BEIJING).isoformat(),
        "source": record.source,
    }


def _problem(change: PhoneChange, now: datetime) -> str:
    """Why a parsed row cannot be stored, or ""."""
    if change.old_phone == change.new_phone:
        return "the new number is the old one"
    if len(change.policy_no) > 32:
        return f"policy number longer than 32 characters: {change.policy_no!r}"
    if _utc(change.changed_at) > now:
        return f"change time {change.changed_at.isoformat()} is in the future"
    return ""


def _utc(moment: datetime) -> datetime:
    """An export's time in UTC: Beijing time where it names no zone."""
    aware = moment.replace(tzinfo=BEIJING) if moment.tzinfo is None else moment
    return aware.astimezone(UTC)


def _key(change: PhoneChange) -> ChangeKey:
    """What makes two rows the same change (the table's unique key)."""
    return (change.policy_no, _utc(change.changed_at), change.old_phone, change.new_phone)


def _stored_keys(session: Session, policy_nos: set[str]) -> set[ChangeKey]:
    """The keys of the changes already stored for these policies."""
    wanted = sorted(policy_nos)
    keys: set[ChangeKey] = set()
    for start in range(0, len(wanted), _BATCH):
        query = select(PhoneChangeRecord).where(
            PhoneChangeRecord.policy_no.in_(wanted[start : start + _BATCH])
        )
        keys.update(
            (r.policy_no, r.changed_at, r.old_phone, r.new_phone) for r in session.scalars(query)
        )
    return keys


def _record(change: PhoneChange, source: str, now: datetime) -> PhoneChangeRecord:
    """The row to store for a change."""
    return PhoneChangeRecord(
        policy_no=change.policy_no,
        old_phone=change.old_phone,
        new_phone=change.new_phone,
        changed_at=_utc(change.changed_at),
        source=source,
        imported_at=now,
    )
