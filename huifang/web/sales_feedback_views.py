"""The sales-side feedback as tables (page, XLSX/CSV exports, the `huifang feedback` files):
Chinese words for every code, no personal numbers."""

from __future__ import annotations

from datetime import date

from huifang.documents.table import Cell, Table
from huifang.web.labels import label
from storage.sales_feedback import FailedCallback, RiskRow, SellerCase

DAILY_HEADERS = ("分公司", "团队", "业务员", "保单号", "类型", "类别", "原因/内容", "日期")
FAILED_HEADERS = (
    "保单号", "分公司", "团队", "业务员", "回执日期", "犹豫期止", "回访失败原因", "佣金处理",
    "品质处理",
)  # fmt: skip


def case_detail(case: SellerCase) -> str:
    """A problem case's reason in words; a complaint's text as heard."""
    return label("caseReason", case.detail) if case.kind == "问题件" else case.detail


def failed_reason(failed: FailedCallback) -> str:
    """Why the callback failed, in words."""
    if failed.reason:
        return failed.reason
    if failed.last_outcome is None:
        return "未拨打"
    words = label("dialogueOutcome", failed.last_outcome)
    if words == failed.last_outcome:
        words = label("callOutcome", failed.last_outcome)
    return f"最后一次通话：{words}"


def daily_table(cases: list[SellerCase], day: date) -> Table:
    """One line per case, grouped by seller."""
    rows: list[list[Cell]] = [
        [c.branch, c.team, c.salesperson, c.policy_no, c.kind, c.category, case_detail(c),
         c.opened_on] for c in cases
    ]  # fmt: skip
    return Table(f"销售反馈 {day.isoformat()}", DAILY_HEADERS, rows)


def failed_table(found: list[FailedCallback]) -> Table:
    """One line per failed callback, with what the commission and quality systems do."""
    rows: list[list[Cell]] = [
        [f.policy_no, f.branch, f.team, f.salesperson, f.receipt_date, f.deadline,
         failed_reason(f), "暂扣佣金", "扣减品质分"] for f in found
    ]  # fmt: skip
    return Table("回访失败清单", FAILED_HEADERS, rows)


def risk_table(rows: list[RiskRow], categories: list[str]) -> Table:
    """Groups by risk category, with counts and the total."""
    body: list[list[Cell]] = [
        [row.group, *[row.counts.get(c, 0) for c in categories], row.total] for row in rows
    ]
    return Table("风险类别分析", ("分组", *categories, "合计"), body)
