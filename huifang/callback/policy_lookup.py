"""The one place a stored policy becomes the record a callback script is run with."""

from __future__ import annotations

from sqlalchemy.orm import Session

from scripts_zh.policy import PolicyRecord
from storage.models import Policy
from storage.policy_view import policy_record


def callback_policy(session: Session, policy: Policy) -> PolicyRecord:
    """The PolicyRecord to call `policy`'s holder back with (the session may look up more)."""
    # Not yet looked up: whether the salesperson, team or branch is on the special-attention
    # list (特别关注), which picks the stricter script. That lookup goes here, through `session`.
    return policy_record(policy, special_attention=False)
