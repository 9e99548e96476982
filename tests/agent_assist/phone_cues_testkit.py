"""Policy facts and import files for the phone-cue tests: realistic Guangdong new business."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

from agent_assist.phone_cues import PhoneCue, PhoneCueKind
from agent_assist.phone_records import PhoneChange, PolicyFacts

BRANCH = "广东分公司"
NOV = 11


def policy(
    no: int,
    holder: str,
    id_last4: str,
    phone: str,
    day: int,
    salesperson: str = "李明",
    branch: str = BRANCH,
) -> PolicyFacts:
    """A policy signed on 2024-11-`day`; `no` becomes the last digits of 8644012024110000."""
    return PolicyFacts(
        policy_no=f"86440120241{no:05d}",
        holder_name=holder,
        holder_id_last4=id_last4,
        phone=phone,
        sign_date=date(2024, NOV, day),
        salesperson=salesperson,
        branch=branch,
        team="天河一组",
        outlet="广州天河营业部",
    )


def change(no: int, old: str, new: str, day: int, hour: int = 10) -> PhoneChange:
    """A phone change of policy `no` logged on 2024-11-`day`."""
    return PhoneChange(f"86440120241{no:05d}", old, new, datetime(2024, NOV, day, hour, 30))


def of_kind(cues: Sequence[PhoneCue], kind: PhoneCueKind) -> list[PhoneCue]:
    """The cues of one kind."""
    return [cue for cue in cues if cue.kind is kind]


# Chinese headers storage's import accepts (storage/policy_columns.py).
IMPORT_HEADER = (
    "保单号", "产品类型", "产品名称", "投保人姓名", "投保人性别", "投保人出生日期", "证件号后四位",
    "联系电话", "投保日期", "回执签收日期", "犹豫期天数", "业务员", "团队", "网点", "分公司",
)  # fmt: skip


def write_import_file(path: Path, policies: Sequence[PolicyFacts]) -> Path:
    """A CSV that `huifang policies import` accepts, one row per policy."""
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(IMPORT_HEADER)
        for p in policies:
            receipt = p.sign_date + timedelta(days=3)
            writer.writerow([
                p.policy_no, "分红", "鑫福年年两全保险（分红型）", p.holder_name, "女",
                "1965-03-08", p.holder_id_last4, p.phone, p.sign_date.isoformat(),
                receipt.isoformat(), 15, p.salesperson, p.team, p.outlet, p.branch,
            ])  # fmt: skip
    return path


def write_change_file(path: Path, changes: Sequence[PhoneChange]) -> Path:
    """A phone-change CSV with the Chinese headers of a policy-service export."""
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["保单号", "原号码", "新号码", "变更时间"])
        for c in changes:
            writer.writerow([c.policy_no, c.old_phone, c.new_phone, c.changed_at.isoformat()])
    return path
