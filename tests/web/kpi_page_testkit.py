"""KPI test data on top of web_testkit's seeded app: its six policies (received 2024-11-04 ..
11-09) and the two agents' calls given outcomes.

ann's call on …0001 (李明, received Mon 11-04) went through the script, all confirmed;
bob's call on …0002 (李明, received Tue 11-05) reached an invalid number. So per day,
回访成功率 is 1/1 on 11-04 and 0/1 on 11-05: a drop of 100 points, sharp once a single policy
is enough to judge (HUIFANG_KPI_MIN_DENOMINATOR=1).
"""

from __future__ import annotations

from storage.database import Database
from storage.models import CallRecord


def record_outcomes(db: Database, call_of: dict[str, int]) -> None:
    """ann's call all confirmed, bob's call an invalid number."""
    with db.session() as session:
        ann, bob = session.get(CallRecord, call_of["ann"]), session.get(CallRecord, call_of["bob"])
        assert ann is not None and bob is not None
        ann.outcome, ann.dialogue_outcome = "completed", "all_confirmed"
        bob.outcome = "invalid_number"
