"""Special-attention changes in the audit trail: the same rows whether the review console or
the `huifang attention` command made them, written in the change's own transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from storage.attention_models import AttentionEntry
from storage.attention_view import entry_view
from storage.audit import Actor, record_change

ENTITY = "attention_entry"
REPORT = "attention.report"
RECTIFY = "attention.rectify"
OBSERVE = "attention.observe"
REVOKE = "attention.revoke"


def snapshot(found: AttentionEntry) -> dict[str, Any]:
    """The entry's fields as the trail keeps them before and after a change."""
    return entry_view(found)


def record_attention_change(
    session: Session,
    actor: Actor,
    action: str,
    before: dict[str, Any] | None,
    changed: AttentionEntry,
) -> None:
    """One audit entry for a report (before None), observation or revocation."""
    record_change(
        session, actor, action, ENTITY, changed.id, before, snapshot(changed),
        at=changed.updated_at,
    )  # fmt: skip
