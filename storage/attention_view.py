"""Special-attention entries and policy flags as JSON-ready data (CLI and web console)."""

from __future__ import annotations

from typing import Any

from storage.attention_match import subject_label
from storage.attention_models import AttentionChange, AttentionEntry, PolicyFlag


def entry_view(entry: AttentionEntry, *, history: bool = False) -> dict[str, Any]:
    """The entry as a dict; history adds every status change, oldest first."""
    view: dict[str, Any] = {
        "id": entry.id,
        "subject": entry.subject_kind.value,
        "name": entry.subject_name,
        "within_branch": entry.within_branch,
        "label": subject_label(entry),
        "status": entry.status.value,
        "effective_from": entry.effective_from.isoformat(),
        "revoked_on": entry.revoked_on.isoformat() if entry.revoked_on else None,
        "reason": entry.changes[-1].reason if entry.changes else "",
        "ground": entry.ground.value if entry.ground else None,
        "severity": entry.severity.value if entry.severity else None,
        "measures": [m for m in entry.measures.split(",") if m],
        "dedicated_agent_id": entry.dedicated_agent_id,
        "restricted_products": entry.restricted_products,
        "updated_at": entry.updated_at.isoformat(),
    }
    if history:
        view["history"] = [change_view(change) for change in entry.changes]
    return view


def change_view(change: AttentionChange) -> dict[str, Any]:
    """One history row as a dict."""
    return {
        "from": change.from_status.value if change.from_status else None,
        "to": change.to_status.value,
        "effective_on": change.effective_on.isoformat(),
        "reason": change.reason,
        "basis": change.basis,
        "by": change.changed_by,
        "at": change.changed_at.isoformat(),
    }


def flag_view(flag: PolicyFlag) -> dict[str, Any]:
    """A policy flag as a dict, with the entry it points at and that entry's status now."""
    entry = flag.entry
    return {
        "kind": flag.kind.value,
        "reason": flag.reason,
        "entry": entry.id if entry else None,
        "entry_status": entry.status.value if entry else None,
        "raised_at": flag.raised_at.isoformat(),
    }
