"""The audit trail, read-only, for supervisors and admins: no route changes or removes an entry."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from huifang.web.deps import SessionDep
from huifang.web.review_access import Limit, Offset, OverseerDep
from huifang.web.roles import sees_personal_data
from storage.audit import audit_entries
from zhtext.personal_numbers import mask_personal_numbers

router = APIRouter(prefix="/api/review", tags=["audit trail"])


class AuditEntryOut(BaseModel):
    """One change: who, when, what, and the row before and after."""

    id: int
    at: datetime
    actor: str
    actor_id: int | None  # None: the system itself (scheduled sweeps, imports, seeding)
    action: str
    entity: str
    entity_id: int
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@router.get("/audit", responses={401: {}, 403: {}})
def read_audit_trail(
    session: SessionDep,
    user: OverseerDep,
    entity: Literal[
        "flag", "problem_case", "attention_entry", "complaint", "service_request",
        "customer_promise", "letter_visit", "qa_sample", "attention_proposal",
    ] | None = None,
    entity_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    limit: Limit = 200,
    offset: Offset = 0,
) -> list[AuditEntryOut]:
    """Audit entries, newest first, optionally of one flag, problem case or list entry."""
    masked = not sees_personal_data(user.role)
    return [
        AuditEntryOut(
            id=entry.id, at=entry.at, actor=entry.actor, actor_id=entry.actor_id,
            action=entry.action,
            entity=entry.entity, entity_id=entry.entity_id,
            before=_masked(entry.before, masked), after=_masked(entry.after, masked),
        )
        for entry in audit_entries(
            session, entity=entity, entity_id=entity_id, limit=limit, offset=offset
        )
    ]


def _masked(fields: dict[str, Any] | None, masked: bool) -> dict[str, Any] | None:
    """Free texts (reasons, resolutions) may quote numbers a role need not see."""
    if fields is None or not masked:
        return fields
    return {k: mask_personal_numbers(v) if isinstance(v, str) else v for k, v in fields.items()}
