"""A campaign ledger in the web tests' database, built through the real campaign functions."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from huifang.campaign.ledger import candidate, claim, enrol_file, finish
from storage.campaign_models import AttemptOutcome, CampaignPolicy
from storage.campaigns import CampaignStore
from storage.database import Database
from storage.models import Policy

HEADER = ["policy_no", "product_family", "product_name", "holder_name", "holder_gender",
          "holder_birth_date", "holder_id_last4", "phone", "sign_date", "receipt_date",
          "cooling_off_days", "salesperson", "team", "outlet", "branch"]
# policy number → (phone, days until its 犹豫期 ends)
LEDGER = {"PC0001": ("13900001111", 1), "PC0002": ("13900002222", 9),
          "PC0003": ("13900003333", 2), "PC0004": ("13900004444", 5),
          "PC0005": ("13900005555", 3)}


def build_campaign(db: Database, directory: Path) -> datetime:
    """Five enrolled policies: PC0001 (deadline tomorrow) and PC0003 pending, PC0002 reached,
    PC0004 handed to letter or visit after two attempts, PC0005 wanting an agent."""
    now = datetime.now(UTC)
    today = now.date()
    path = directory / "campaign.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for policy_no, (phone, days_left) in LEDGER.items():
            receipt = today + timedelta(days=days_left - 15)
            writer.writerow([policy_no, "传统", "康宁终身寿险", "赵敏", "女", "1970-01-02", "4021",
                             phone, (receipt - timedelta(days=2)).isoformat(),
                             receipt.isoformat(), "15", "李明", "天河一组", "天河营业部",
                             "广东分公司"])
    enrol_file(db, path, now)
    _attempt(db, "PC0002", AttemptOutcome.SUCCESS, now)
    _attempt(db, "PC0004", AttemptOutcome.NO_ANSWER, now)
    _attempt(db, "PC0004", AttemptOutcome.BUSY, now + timedelta(minutes=1))
    with db.session() as session:
        store = CampaignStore(session)
        store.hand_over(_entry(session, "PC0004").id, "第1次 无人接听\n第2次 占线", now)
    _attempt(db, "PC0005", AttemptOutcome.WANTS_HUMAN, now)
    return now


def _entry(session: Session, policy_no: str) -> CampaignPolicy:
    return session.scalars(select(CampaignPolicy).join(Policy)
                           .where(Policy.policy_no == policy_no)).one()


def _attempt(db: Database, policy_no: str, outcome: AttemptOutcome, now: datetime) -> None:
    with db.session() as session:
        chosen = candidate(_entry(session, policy_no))
    attempt = claim(db, chosen, f"sip:{policy_no}@gw", "web-test", now + timedelta(minutes=20),
                    now)
    assert attempt is not None
    finish(db, attempt, outcome, now)


def deadline(policy_no: str, today: date) -> str:
    """The policy's 犹豫期 deadline as the API writes it."""
    return (today + timedelta(days=LEDGER[policy_no][1])).isoformat()
