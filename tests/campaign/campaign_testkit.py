"""Helpers for the campaign tests: policy files written on the fly, a calendar, a fixed clock."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from huifang.campaign.calendar import CallingCalendar
from huifang.campaign.schedule import CallingRules

SHANGHAI = ZoneInfo("Asia/Shanghai")
HEADER = ["policy_no", "product_family", "product_name", "holder_name", "holder_gender",
          "holder_birth_date", "holder_id_last4", "phone", "sign_date", "receipt_date",
          "cooling_off_days", "salesperson", "team", "outlet", "branch", "payment_years",
          "payment_frequency", "premium_yuan"]


@dataclass(frozen=True)
class PolicySpec:
    """One row of a generated policy file."""

    policy_no: str
    phone: str
    receipt_date: date
    cooling_off_days: int = 15
    holder_id_last4: str = "4021"

    def row(self) -> list[str]:
        return [self.policy_no, "传统", "康宁终身寿险", "王秀英", "女", "1965-03-08",
                self.holder_id_last4, self.phone,
                (self.receipt_date - timedelta(days=3)).isoformat(),
                self.receipt_date.isoformat(), str(self.cooling_off_days), "李明", "天河一组",
                "广州天河营业部", "广东分公司", "10", "年交", "5000"]


def write_policies(path: Path, specs: Sequence[PolicySpec],
                   extra_rows: Sequence[list[str]] = ()) -> Path:
    """A UTF-8 CSV of these policies (and any raw rows after them)."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(spec.row() for spec in specs)
        writer.writerows(extra_rows)
    return path


def phone_number(n: int, prefix: str = "1380000") -> str:
    """The n-th test mobile number in a range (11 digits)."""
    return f"{prefix}{n:04d}"


def shanghai(day: date, hour: int, minute: int = 0) -> datetime:
    """A local Shanghai time as an aware UTC datetime (what the database stores)."""
    return datetime.combine(day, time(hour, minute), SHANGHAI).astimezone(UTC)


def rules(*, max_attempts: int = 3, per_day: int = 2, spacing_min: float = 120,
          lead_days: int = 2, days: frozenset[int] = frozenset(range(1, 8)),
          holidays: frozenset[date] = frozenset(),
          workdays: frozenset[date] = frozenset()) -> CallingRules:
    """09:00–20:00 Shanghai with the given limits."""
    calendar = CallingCalendar(time(9), time(20), days, SHANGHAI, holidays, workdays)
    return CallingRules(calendar, max_attempts, per_day, timedelta(minutes=spacing_min),
                        lead_days)
