"""The special-attention console tests' data: a seeded policy of 李明 still in its 犹豫期, so
reporting him flags it."""

from __future__ import annotations

from datetime import date, timedelta

from storage.database import Database
from storage.repository import Repository

OPEN_POLICY = "8644012024110001"  # 李明's, 天河一组, 广东分公司, signed 2024-11-01
SELLER_BRANCH = "广东分公司"


def reopen_cooling_off(db: Database, policy_no: str = OPEN_POLICY) -> None:
    """Move the policy's 犹豫期 deadline into the future: a new policy the list still reaches."""
    with db.session() as session:
        policy = Repository(session).policy(policy_no)
        assert policy is not None
        policy.cooling_off_deadline = date.today() + timedelta(days=10)
