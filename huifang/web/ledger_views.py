"""The problem-case ledger (问题件台账) and the daily summary as the console and its exports
show them, masked by role."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from huifang.documents.table import Cell, Table
from huifang.web.labels import label
from storage.case_ledger import SUMMARY_COUNTS, LedgerRow, SummaryRow
from storage.masking import mask_id_last4, mask_phone
from storage.problem_cases import DeadlineRules
from zhtext.personal_numbers import mask_personal_numbers


class LedgerLine(BaseModel):
    """One problem case as the ledger lists it."""

    case_id: int
    policy_no: str
    product_name: str
    holder_name: str
    phone: str
    holder_id_last4: str
    salesperson: str
    team: str
    outlet: str
    branch: str
    call_id: int | None
    kind: str
    reason: str
    classification: str | None
    evidence: str
    opened_at: datetime
    handler: str | None  # None: not assigned yet (the deadline runs all the same)
    deadline: date
    working_days_left: int | None
    reminder_due: bool
    overdue: bool
    status: str
    resolution: str | None
    resolved_by: str | None
    closed_at: datetime | None


class SummaryLine(BaseModel):
    """One salesperson's day in the daily summary."""

    branch: str
    team: str
    salesperson: str
    flags_raised: int
    flags_confirmed: int
    flags_dismissed: int
    cases_opened: int
    cases_closed: int
    cases_open: int
    cases_overdue: int


LEDGER_HEADERS = (
    "问题件编号", "保单号", "产品", "投保人", "联系电话", "证件号后四位", "销售人员", "团队",
    "营业网点", "分支机构", "来源通话", "问题类型", "原因", "问题分类", "证据", "开立时间",
    "处理人", "处理期限", "剩余工作日", "临近期限", "逾期", "状态", "处理结果", "结案人",
    "结案时间",
)  # fmt: skip
SUMMARY_HEADERS = (
    "分支机构", "团队", "销售人员", "新增标记", "确认", "排除", "新开问题件", "结案", "在办",
    "逾期",
)  # fmt: skip


def ledger_line(row: LedgerRow, *, masked: bool) -> LedgerLine:
    """A ledger row for the API; masked hides phone, ID and card numbers."""
    text = mask_personal_numbers if masked else str
    policy, handling = row.policy, row.handling
    return LedgerLine(
        case_id=row.case.id, policy_no=policy.policy_no, product_name=policy.product_name,
        holder_name=policy.holder_name,
        phone=mask_phone(policy.phone) if masked else policy.phone,
        holder_id_last4=mask_id_last4(policy.holder_id_last4) if masked
        else policy.holder_id_last4,
        salesperson=policy.salesperson, team=policy.team, outlet=policy.outlet,
        branch=policy.branch, call_id=row.case.call_id, kind=row.case.kind,
        reason=row.case.reason,
        classification=handling.classification.value if handling else None,
        evidence=text(row.evidence), opened_at=row.case.opened_at, handler=row.handler,
        deadline=row.deadline,
        working_days_left=row.clock.working_days_left, reminder_due=row.clock.reminder_due,
        overdue=row.clock.overdue, status=row.case.status.value,
        resolution=text(handling.resolution) if handling and handling.resolution else None,
        resolved_by=row.resolver, closed_at=row.case.closed_at,
    )  # fmt: skip


def ledger_table(lines: list[LedgerLine], rules: DeadlineRules) -> Table:
    """The ledger as a sheet, times shown where the handlers work."""
    zone = ZoneInfo(rules.timezone)

    def local(moment: datetime | None) -> Cell:
        return moment.astimezone(zone).replace(tzinfo=None, microsecond=0) if moment else None

    rows: list[list[Cell]] = [
        [line.case_id, line.policy_no, line.product_name, line.holder_name, line.phone,
         line.holder_id_last4, line.salesperson, line.team, line.outlet, line.branch,
         line.call_id, label("problemKind", line.kind), label("caseReason", line.reason),
         line.classification, line.evidence,
         local(line.opened_at), line.handler or "未分派", line.deadline, line.working_days_left,
         "是" if line.reminder_due else "", "是" if line.overdue else "",
         label("caseStatus", line.status), line.resolution, line.resolved_by,
         local(line.closed_at)]
        for line in lines
    ]  # fmt: skip
    return Table("问题件台账", LEDGER_HEADERS, rows)


def summary_line(row: SummaryRow) -> SummaryLine:
    """A summary row for the API."""
    counts = {name: row.counts[name] for name in SUMMARY_COUNTS}
    return SummaryLine(branch=row.branch, team=row.team, salesperson=row.salesperson, **counts)


def summary_table(lines: list[SummaryLine], day: date) -> Table:
    """The daily summary as a sheet."""
    rows: list[list[Cell]] = [
        [line.branch, line.team, line.salesperson, line.flags_raised, line.flags_confirmed,
         line.flags_dismissed, line.cases_opened, line.cases_closed, line.cases_open,
         line.cases_overdue]
        for line in lines
    ]  # fmt: skip
    return Table(f"回访质检日报 {day.isoformat()}", SUMMARY_HEADERS, rows)
