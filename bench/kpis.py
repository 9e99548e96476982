"""Benchmark the KPI report on a synthetic callback history in SQLite: N policies over eight
weeks, one to three calls each with answers heard, some campaign attempts and problem cases.

    .venv/bin/python bench/kpis.py [--policies 30000] [--runs 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from storage.database import Database, open_database
from storage.kpi_periods import Period
from storage.kpis import Grouping, KpiRequest, kpi_report
from storage.models import AnswerEvidence, CallRecord, CaseStatus, ItemAnswer, Policy, ProblemCase
from storage.problem_cases import DeadlineRules
from storage.working_days import load_calendar

FIRST = date(2026, 9, 7)  # a Monday; eight weeks from here, the National Day week among them
OUTCOMES = [("completed", "all_confirmed")] * 6 + [
    ("completed", "completed_with_problems"), ("no_answer", None), ("busy", None),
    ("invalid_number", None), ("peer_hung_up", None), ("completed", "identity_failed"),
]  # fmt: skip


def _seed(db: Database, count: int, rng: random.Random) -> None:
    now = datetime(2026, 9, 1, tzinfo=UTC)
    policies: list[dict[str, Any]] = []
    calls: list[dict[str, Any]] = []
    answers: list[dict[str, Any]] = []
    evidence: list[dict[str, Any]] = []
    cases: list[dict[str, Any]] = []
    for n in range(1, count + 1):
        receipt = FIRST + timedelta(days=rng.randrange(56))
        policies.append(dict(
            id=n, policy_no=f"B{n:08d}", family="traditional", product_name=f"产品{n % 12}",
            holder_name="王芳", holder_gender="female", holder_birth_date=date(1970, 1, 1),
            holder_id_last4="1234", phone=f"138{n:08d}", sign_date=receipt, receipt_date=receipt,
            cooling_off_days=15, cooling_off_deadline=receipt + timedelta(days=15),
            salesperson=f"销售{n % 400}", team=f"组{n % 60}", outlet="营业部",
            branch=f"分公司{n % 8}", imported_at=now, updated_at=now, premium_yuan=0,
            payment_years=0, payment_frequency="", insured_name="",
        ))  # fmt: skip
        for attempt in range(rng.randrange(1, 4)):
            outcome, dialogue = rng.choice(OUTCOMES)
            call_id = len(calls) + 1
            started = datetime.combine(receipt, datetime.min.time(), UTC) + timedelta(
                days=attempt + 1, hours=2 + rng.randrange(9))
            calls.append(dict(id=call_id, policy_id=n, direction="outbound", sip_uri="sip:x@pbx",
                              started_at=started, ended_at=started, outcome=outcome,
                              dialogue_outcome=dialogue))  # fmt: skip
            if dialogue:
                answer_id = len(answers) + 1
                answers.append(dict(id=answer_id, call_id=call_id, step_id="item3", item=3,
                                    verdict="confirmed"))  # fmt: skip
                heard = "question" if rng.random() < 0.1 else "affirmative"
                evidence.append(dict(item_answer_id=answer_id, seq=0, text="嗯", start_ms=0,
                                     end_ms=500, source="speech", answer_class=heard))  # fmt: skip
            if dialogue == "completed_with_problems":
                opened = started
                closed = opened + timedelta(days=rng.randrange(1, 30))
                cases.append(dict(policy_id=n, call_id=call_id, kind="concealment",
                                  reason="denied", status=CaseStatus.CLOSED.value,
                                  opened_at=opened, closed_at=closed))  # fmt: skip
            if dialogue in ("all_confirmed", "completed_with_problems"):
                break
    with db.session() as session:
        for table, rows in ((Policy, policies), (CallRecord, calls), (ItemAnswer, answers),
                            (AnswerEvidence, evidence), (ProblemCase, cases)):  # fmt: skip
            for start in range(0, len(rows), 5000):
                session.execute(insert(table), rows[start:start + 5000])
    print(f"{count} policies, {len(calls)} calls, {len(evidence)} answers, {len(cases)} cases")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--policies", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rules = DeadlineRules(calendar=load_calendar())
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(f"sqlite:///{Path(folder) / 'kpis.db'}")
        _seed(db, args.policies, random.Random(5))
        last = FIRST + timedelta(days=55)
        print(f"{'period':<8}{'by':<13}{'rows':>6}{'median s':>10}")
        for period, grouping in ((Period.WEEK, Grouping.OVERALL),
                                 (Period.WEEK, Grouping.SALESPERSON),
                                 (Period.DAY, Grouping.PRODUCT),
                                 (Period.MONTH, Grouping.BRANCH)):  # fmt: skip
            times, rows = [], 0
            for _ in range(args.runs):
                began = time.perf_counter()
                with db.session() as session:
                    report = kpi_report(session, KpiRequest(period, grouping, FIRST, last), rules)
                times.append(time.perf_counter() - began)
                rows = len(report.rows)
            print(f"{period.value:<8}{grouping.value:<13}{rows:>6}{statistics.median(times):>10.2f}")
        db.close()


if __name__ == "__main__":
    main()
