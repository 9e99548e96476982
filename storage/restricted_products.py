"""限制销售险种: a grave special-attention listing names products its subject may not sell; a
new policy of one of them, sold while listed, is flagged for review."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.attention_kinds import AttentionMeasure
from storage.attention_match import SalesChannel, matching_entries, subject_label
from storage.attention_models import AttentionEntry, PolicyFlag, PolicyFlagKind
from storage.families import parse_family
from storage.models import Policy


def restricted_match(entry: AttentionEntry, policy: Policy) -> str | None:
    """The listed product (a family or a product name) this policy is, None if it is none."""
    for token in (t.strip() for t in entry.restricted_products.replace("，", ",").split(",")):
        if not token:
            continue
        try:
            if parse_family(token) is policy.family:
                return token
        except ValueError:
            if token in policy.product_name:
                return token
    return None


def flag_restricted_sales(session: Session, policies: Sequence[Policy], now: datetime) -> int:
    """Flag each policy sold on its sign date by a subject listed with this product restricted."""
    added = 0
    for policy in policies:
        for entry in matching_entries(session, SalesChannel.of(policy), policy.sign_date):
            if AttentionMeasure.RESTRICT_PRODUCTS.value not in entry.measures.split(","):
                continue
            product = restricted_match(entry, policy)
            if product is None or _flagged(session, policy, entry):
                continue
            session.add(PolicyFlag(
                policy_id=policy.id, kind=PolicyFlagKind.RESTRICTED_PRODUCT,
                attention_entry_id=entry.id, raised_at=now,
                reason=f"{subject_label(entry)}被限制销售「{product}」，本单为"
                       f"{policy.product_name or product}"))  # fmt: skip
            added += 1
    session.flush()
    return added


def _flagged(session: Session, policy: Policy, entry: AttentionEntry) -> bool:
    return session.scalar(select(PolicyFlag.id).where(
        PolicyFlag.policy_id == policy.id, PolicyFlag.attention_entry_id == entry.id,
        PolicyFlag.kind == PolicyFlagKind.RESTRICTED_PRODUCT)) is not None  # fmt: skip
