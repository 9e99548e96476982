"""The one place a stored policy becomes the record a callback script is run with."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from scripts_zh.policy import PolicyRecord
from storage.attention import on_attention_list
from storage.models import Policy
from storage.policy_view import policy_record


def callback_policy(session: Session, policy: Policy, today: date | None = None) -> PolicyRecord:
    """The PolicyRecord to call `policy`'s holder back with.

    The stricter script variant is chosen when the salesperson, team or branch is on the
    special-attention list (特别关注) today (reported or under observation): the suspicion
    covers what they sold before being listed, and a revoked entry no longer applies.
    """
    listed = on_attention_list(session, policy, today or date.today())
    return policy_record(policy, special_attention=listed)
