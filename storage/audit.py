"""The audit trail (审计记录): every change the review workflow makes, written in the same
transaction as the change itself, so neither exists without the other."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.review_models import AuditEntry


@dataclass(frozen=True)
class Actor:
    """Who makes a change: a signed-in user, or the system (user_id None) for scheduled sweeps."""

    user_id: int | None
    name: str


SYSTEM = Actor(None, "system")


def record_change(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: int,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    at: datetime | None = None,
) -> AuditEntry:
    """Append one audit entry; before/after are the changed row's fields as plain data."""
    entry = AuditEntry(
        at=at or datetime.now(UTC), actor_id=actor.user_id, actor=actor.name, action=action,
        entity=entity, entity_id=entity_id, before=_plain(before), after=_plain(after),
    )  # fmt: skip
    session.add(entry)
    session.flush()
    return entry


def audit_entries(
    session: Session,
    *,
    entity: str | None = None,
    entity_id: int | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[AuditEntry]:
    """Audit entries, newest first, optionally of one entity (and one row of it)."""
    query = select(AuditEntry)
    if entity is not None:
        query = query.where(AuditEntry.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    query = query.order_by(AuditEntry.id.desc()).limit(limit).offset(offset)
    return list(session.scalars(query))


def _plain(value: Any) -> Any:
    """JSON-ready data: dates as ISO text, enums as their values."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
