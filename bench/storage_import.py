"""Benchmark of storage: importing a day's new policies, re-importing them, and the lookups
a dialler makes (deadlines near, policy by caller number), on SQLite and on PostgreSQL.

    .venv/bin/python bench/storage_import.py --policies 10000
    .venv/bin/python bench/storage_import.py --policies 10000 --db-url postgresql+psycopg://…

Without --db-url it uses a fresh SQLite file in a temporary folder.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

from storage.database import open_database
from storage.policy_import import import_policy_file
from storage.repository import Repository

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["秀英", "建国", "桂兰", "洋", "静", "伟", "敏", "志强", "丽华", "海燕", "磊", "芳"]
FAMILIES = ["传统", "分红", "万能", "投连", "健康", "重疾"]
BRANCHES = [
    ("广东分公司", "广州天河营业部"),
    ("浙江分公司", "杭州西湖营业部"),
    ("四川分公司", "成都武侯营业部"),
]
T = TypeVar("T")
HEADER = [
    "policy_no", "product_family", "holder_name", "holder_gender", "holder_birth_date",
    "holder_id_last4", "phone", "sign_date", "receipt_date", "cooling_off_days",
    "salesperson", "team", "outlet", "branch",
]  # fmt: skip


def write_policies(path: Path, count: int, seed: int = 7) -> None:
    """A CSV of `count` plausible new policies signed over the last 20 days."""
    rng = random.Random(seed)
    start = date(2024, 11, 1)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for n in range(count):
            signed = start + timedelta(days=rng.randrange(20))
            branch, outlet = rng.choice(BRANCHES)
            writer.writerow([
                f"86{rng.randrange(10, 99)}{n:012d}", rng.choice(FAMILIES),
                rng.choice(SURNAMES) + rng.choice(GIVEN), rng.choice("男女"),
                date(1950, 1, 1) + timedelta(days=rng.randrange(18_000)),
                f"{rng.randrange(1000):03d}{rng.choice('0123456789X')}",
                f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
                signed, signed + timedelta(days=rng.randrange(1, 6)), 15,
                f"业务员{rng.randrange(200)}", f"团队{rng.randrange(40)}", outlet, branch,
            ])  # fmt: skip


def timed(action: Callable[[], T]) -> tuple[float, T]:
    """Seconds an argument-less callable took, and what it returned."""
    began = time.perf_counter()
    result = action()
    return time.perf_counter() - began, result


def main() -> None:
    """Print the figures as one JSON object."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--policies", type=int, default=10_000)
    parser.add_argument("--db-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "policies.csv"
        write_policies(path, args.policies)
        db = open_database(args.db_url or f"sqlite:///{folder}/bench.db")
        first_s, first = timed(lambda: import_policy_file(db, path))
        again_s, again = timed(lambda: import_policy_file(db, path))
        with db.session() as session:
            repo = Repository(session)
            due_s, due = timed(lambda: repo.deadlines_within(date(2024, 11, 20), 3))
            phone = next(csv.reader(path.open(encoding="utf-8").readlines()[1:2]))[6]
            caller_s, _ = timed(lambda: repo.policies_for_caller(f"sip:+86{phone}@trunk"))
        db.close()
    print(json.dumps({
        "backend": db.engine.dialect.name, "policies": args.policies,
        "import_s": round(first_s, 2), "imported": first.imported,
        "policies_per_s": round(args.policies / first_s),
        "reimport_s": round(again_s, 2), "unchanged": again.unchanged,
        "deadlines_within_3_days": len(due), "deadline_query_ms": round(due_s * 1000, 1),
        "caller_lookup_ms": round(caller_s * 1000, 2),
    }, ensure_ascii=False))  # fmt: skip


if __name__ == "__main__":
    main()
