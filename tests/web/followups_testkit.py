"""Seed the follow-up queues the way a callback fills them: a robot callback in which the
customer asks to surrender and complains, stored through the dialogue's own events."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from storage.database import Database
from storage.models import CallDirection
from storage.policy_view import policy_record
from storage.repository import Repository

sys.path.insert(0, str(Path(__file__).parents[1] / "storage"))
from storage_testkit import run_dialogue

POLICY = "8644012024110001"  # 王秀英's, sold by 李明
ANSWERS = ["是我", "一九六五年三月八号", "是我自己签的", "看过了，都明白", "清楚",
           "我要退保，业务员骗我"]  # fmt: skip


def seed_surrender_call(db: Database, when: datetime | None = None) -> int:
    """Store the callback; its call id."""
    when = when or datetime.now(UTC)
    with db.session() as session:
        repo = Repository(session)
        policy = repo.policy(POLICY)
        assert policy is not None
        # A new policy still in its 犹豫期, so the surrender refunds the whole premium.
        policy.cooling_off_deadline = when.date() + timedelta(days=10)
        call = repo.start_call(policy, CallDirection.OUTBOUND, "sip:x@pbx", when)
        repo.record_dialogue(call, run_dialogue(policy_record(policy), ANSWERS), when)
        return call.id
