"""Sales for the special-attention tests: policy import files with chosen sellers and dates."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from storage.attention import Listing, RevocationBasis
from storage.attention_models import AttentionGround, AttentionSeverity, PolicyFlag
from storage.database import Database
from storage.models import Policy

# The tests' clock: 2024-11-10 in Beijing and in UTC alike (09:00 UTC is 17:00 Beijing).
NOW = datetime(2024, 11, 10, 9, 0, tzinfo=UTC)
TODAY = date(2024, 11, 10)
# The usual listing of these tests: 代签名 (tampered data), minor: the stricter script only.
MINOR = Listing(AttentionGround.TAMPERED_DATA, AttentionSeverity.MINOR)
VERIFIED = RevocationBasis.VERIFICATION

HEADER = (
    "policy_no", "product_family", "product_name", "holder_name", "holder_gender",
    "holder_birth_date", "holder_id_last4", "phone", "sign_date", "receipt_date",
    "cooling_off_days", "salesperson", "team", "outlet", "branch",
)  # fmt: skip


@dataclass(frozen=True)
class Sale:
    """One new policy: who sold it and when; received three days after signing, 15-day 犹豫期."""

    no: str
    signed: date
    salesperson: str = "李明"
    team: str = "天河一组"
    branch: str = "广东分公司"
    phone: str = "13812345678"


def write_sales(path: Path, sales: Sequence[Sale]) -> Path:
    """A CSV `huifang policies import` accepts, one row per sale."""
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        for sale in sales:
            receipt = sale.signed + timedelta(days=3)
            writer.writerow([
                sale.no, "分红", "鑫福年年两全保险（分红型）", "王秀英", "女", "1965-03-08",
                "402X", sale.phone, sale.signed.isoformat(), receipt.isoformat(), 15,
                sale.salesperson, sale.team, "广州天河营业部", sale.branch,
            ])  # fmt: skip
    return path


def flagged(db: Database) -> dict[str, list[int | None]]:
    """Policy number → the list entries its special-attention flags name, in flag order."""
    query = (
        select(Policy.policy_no, PolicyFlag.attention_entry_id)
        .join(PolicyFlag, PolicyFlag.policy_id == Policy.id)
        .order_by(PolicyFlag.id)
    )
    found: dict[str, list[int | None]] = {}
    with db.session() as session:
        for policy_no, entry_id in session.execute(query):
            found.setdefault(policy_no, []).append(entry_id)
    return found
