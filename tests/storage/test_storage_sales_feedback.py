"""Feedback to the sales side on the hand-built holiday history (kpi_testkit): the day's cases
by seller and the files the sales side receives, problem cases by risk category, and the failed
callbacks charged to their seller."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from kpi_testkit import RULES, seed_holiday_history
from openpyxl import load_workbook
from storage_testkit import sqlite_db

from huifang.cli import main
from huifang.web.sales_feedback_views import failed_reason
from storage.sales_feedback import daily_cases, failed_callbacks, risk_analysis


def test_cases_by_seller_risk_categories_and_failed_callbacks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = sqlite_db(tmp_path)
    seed_holiday_history(db)
    with db.session() as session:
        # 10-20: C4 opened on P5 (李四); 10-03: P6's complaint (张三).
        (case,) = daily_cases(session, date(2026, 10, 20), RULES)
        assert (case.salesperson, case.policy_no, case.kind, case.category) == (
            "李四", "P5", "问题件", "隐瞒")
        (complaint,) = daily_cases(session, date(2026, 10, 3), RULES)
        assert (complaint.salesperson, complaint.kind, complaint.detail) == (
            "张三", "投诉", "业务员骗我")
        # C1..C5 were all opened on 李四's policies, every one a 隐瞒 case.
        (risk,) = risk_analysis(session, date(2026, 9, 1), date(2026, 10, 31), RULES)
        assert (risk.group, risk.counts, risk.total) == ("上海分公司", {"隐瞒": 5}, 5)
        # Received 09-28..10-05, 犹豫期 over by 11-01, never reached: P4 (never dialled) and
        # P5 (someone else answered); P8's one-year term is out of the callback scope.
        failed = failed_callbacks(session, date(2026, 9, 28), date(2026, 10, 5),
                                  date(2026, 11, 1))  # fmt: skip
        assert [(f.policy_no, failed_reason(f)) for f in failed] == [
            ("P4", "未拨打"), ("P5", "最后一次通话：身份核实未通过")]
    url = ["--db-url", str(db.engine.url)]
    out = tmp_path / "feedback"
    assert main(["feedback", "daily", "--date", "2026-10-20", "--out", str(out), *url]) == 0
    path = out / "销售反馈-上海分公司-2026-10-20.xlsx"
    assert capsys.readouterr().out.strip() == f"{path}: 1 cases"
    sheet = load_workbook(path).active
    assert sheet is not None
    assert list(sheet.iter_rows(values_only=True))[1][:6] == (
        "上海分公司", "二组", "李四", "P5", "问题件", "隐瞒")
    failed_file = tmp_path / "failed.csv"
    assert main(["feedback", "failed", "--from", "2026-09-28", "--to", "2026-10-05",
                 "--out", str(failed_file), *url]) == 0  # fmt: skip
    lines = failed_file.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].endswith("回访失败原因,佣金处理,品质处理")
    assert lines[1].startswith("P4,上海分公司,二组,李四")
    assert lines[1].endswith("未拨打,暂扣佣金,扣减品质分")
