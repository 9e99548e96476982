"""A re-imported policy that differs from the stored one: every change recorded as a change,
with its source and an audit entry, never a silent overwrite. A changed phone number becomes a
stored phone change (the "number changed right after purchase" cue reads those)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from storage.attention_models import PhoneChangeRecord
from storage.audit import Actor, record_change
from storage.masking import mask_phone
from storage.models import Policy

_SOURCE_LENGTH = 255


def apply_changes(
    session: Session, policy: Policy, values: dict[str, Any], *, source: str, actor: Actor,
    now: datetime,
) -> bool:  # fmt: skip
    """Update the policy to `values`, recording what changed; False when nothing did."""
    changed = {name: value for name, value in values.items() if getattr(policy, name) != value}
    if not changed:
        return False
    before = {name: getattr(policy, name) for name in changed}
    if "phone" in changed:
        session.add(PhoneChangeRecord(
            policy_no=policy.policy_no, old_phone=policy.phone, new_phone=changed["phone"],
            changed_at=now, source=source[:_SOURCE_LENGTH], imported_at=now,
        ))  # fmt: skip
    for name, value in changed.items():
        setattr(policy, name, value)
    policy.updated_at = now
    record_change(session, actor, "policy.update", "policy", policy.id, _audited(before),
                  {**_audited(changed), "source": source}, at=now)  # fmt: skip
    return True


def _audited(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields as the audit trail keeps them: the phone masked (the stored phone change has
    it whole and goes with the policy when it is purged; the trail is kept for good)."""
    return {name: mask_phone(value) if name == "phone" else value for name, value in fields.items()}
