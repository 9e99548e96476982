"""Policies whose import leaves phone cues: three of one salesperson on numbers of one range,
and one of another seller whose number a phone-change import changes soon after purchase."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

COLUMNS = ("policy_no", "product_family", "product_name", "holder_name", "holder_gender",
           "holder_birth_date", "holder_id_last4", "phone", "sign_date", "receipt_date",
           "cooling_off_days", "salesperson", "team", "outlet", "branch", "insured_name",
           "premium_yuan", "payment_years", "payment_frequency")
LATE_CHANGED = "8644012026120004"  # 王芳's policy, its number changed 3 days after signing


def write_cue_policies(path: Path, signed: date) -> Path:
    """张伟 sold three policies on numbers 1381234xxxx; 王芳 one on an unrelated number."""
    rows = [("P1", "张一", "13812340001", "张伟", "越秀营业部"),
            ("P2", "张二", "13812340002", "张伟", "越秀营业部"),
            ("P3", "张三", "13812340003", "张伟", "越秀营业部"),
            ("P4", "王四", "13998765432", "王芳", "天河营业部")]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for k, (number, holder, phone, seller, outlet) in enumerate(rows):
            writer.writerow([f"864401202612000{number[1:]}", "传统", "康宁终身寿险", holder, "男",
                             "1970-01-0" + str(k + 1), f"100{k}", phone,
                             (signed + timedelta(days=k)).isoformat(),
                             (signed + timedelta(days=k + 2)).isoformat(), "15", seller,
                             "一组", outlet, "广东分公司", holder, "5000", "10", "年交"])
    return path


def write_late_change(path: Path, signed: date) -> Path:
    """The phone-change file: 王芳's policy's number changed three days after signing."""
    changed = signed + timedelta(days=3)
    path.write_text("policy_no,old_phone,new_phone,changed_at\n"
                    f"{LATE_CHANGED},13998765432,13700001111,{changed:%Y-%m-%d} 10:00\n",
                    encoding="utf-8")
    return path
