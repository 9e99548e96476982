"""Feedback to the sales side in the console: each day's problem cases and complaints by
seller (and their export, the file the sales side receives the same day), the risk-category
analysis, and the failed callbacks for the commission and quality systems."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel

from huifang.web.deps import SessionDep
from huifang.web.review_access import FilterDay, ReviewerDep, RulesDep
from huifang.web.sales_feedback_views import (
    case_detail,
    daily_table,
    failed_reason,
    failed_table,
    risk_table,
)
from huifang.web.table_export import ExportFormat, export_response
from storage.sales_feedback import (
    RISK_CATEGORIES,
    daily_cases,
    failed_callbacks,
    risk_analysis,
)

router = APIRouter(prefix="/api/sales", tags=["sales feedback"])
Grouping = Literal["branch", "team", "salesperson", "product_name"]
FormatQuery = Annotated[ExportFormat, Query(alias="format")]


class DailyCase(BaseModel):
    """One case of the day, charged to its seller."""

    branch: str
    team: str
    salesperson: str
    policy_no: str
    kind: str
    category: str
    detail: str


class RiskOut(BaseModel):
    """A group's problem cases by risk category."""

    group: str
    counts: dict[str, int]
    total: int


class FailedOut(BaseModel):
    """A failed callback charged to its seller."""

    policy_no: str
    branch: str
    team: str
    salesperson: str
    deadline: date
    reason: str


def _day(rules: Any, day: date | None) -> date:
    return day or rules.local_date(datetime.now(UTC))


@router.get("/daily", responses={401: {}, 403: {}})
def daily(session: SessionDep, _user: ReviewerDep, rules: RulesDep,
          day: FilterDay = None) -> list[DailyCase]:  # fmt: skip
    """The day's problem cases and complaints (default today), by seller."""
    return [DailyCase(branch=c.branch, team=c.team, salesperson=c.salesperson,
                      policy_no=c.policy_no, kind=c.kind, category=c.category,
                      detail=case_detail(c))
            for c in daily_cases(session, _day(rules, day), rules)]  # fmt: skip


@router.get("/daily/export", response_class=Response, responses={401: {}, 403: {}})
def daily_export(session: SessionDep, user: ReviewerDep, rules: RulesDep,
                 export_format: FormatQuery = ExportFormat.XLSX,
                 day: FilterDay = None) -> Response:  # fmt: skip
    """The day's feedback as the file the sales side receives."""
    wanted = _day(rules, day)
    return export_response(daily_table(daily_cases(session, wanted, rules), wanted),
                           export_format, f"sales-feedback-{wanted}", session=session,
                           reader=user, filters={"day": wanted})  # fmt: skip


@router.get("/risk", responses={401: {}, 403: {}})
def risk(session: SessionDep, _user: ReviewerDep, rules: RulesDep,
         by: Grouping = "branch", date_from: FilterDay = None,
         date_to: FilterDay = None) -> list[RiskOut]:  # fmt: skip
    """Problem cases by risk category per group (default: the last 30 days)."""
    last = _day(rules, date_to)
    first = date_from or last - timedelta(days=29)
    return [RiskOut(group=r.group, counts=r.counts, total=r.total)
            for r in risk_analysis(session, first, last, rules, by)]  # fmt: skip


@router.get("/failed", responses={401: {}, 403: {}})
def failed(session: SessionDep, _user: ReviewerDep, rules: RulesDep,
           date_from: FilterDay = None, date_to: FilterDay = None) -> list[FailedOut]:
    """Policies received in the range whose 犹豫期 ended without a successful callback."""
    today = _day(rules, None)
    first, last = date_from or today - timedelta(days=90), date_to or today
    return [FailedOut(policy_no=f.policy_no, branch=f.branch, team=f.team,
                      salesperson=f.salesperson, deadline=f.deadline, reason=failed_reason(f))
            for f in failed_callbacks(session, first, last, today)]  # fmt: skip


@router.get("/failed/export", response_class=Response, responses={401: {}, 403: {}})
def failed_export(session: SessionDep, user: ReviewerDep, rules: RulesDep,
                  export_format: FormatQuery = ExportFormat.CSV,
                  date_from: FilterDay = None, date_to: FilterDay = None) -> Response:
    """The failed callbacks for the commission (暂扣佣金) and quality (扣减品质分) systems."""
    today = _day(rules, None)
    first, last = date_from or today - timedelta(days=90), date_to or today
    table = failed_table(failed_callbacks(session, first, last, today))
    return export_response(table, export_format, f"failed-callbacks-{first}-{last}",
                           session=session, reader=user,
                           filters={"date_from": first, "date_to": last})  # fmt: skip


@router.get("/risk/export", response_class=Response, responses={401: {}, 403: {}})
def risk_export(session: SessionDep, user: ReviewerDep, rules: RulesDep,
                export_format: FormatQuery = ExportFormat.XLSX, by: Grouping = "branch",
                date_from: FilterDay = None, date_to: FilterDay = None) -> Response:
    """The risk-category analysis as a file."""
    last = _day(rules, date_to)
    first = date_from or last - timedelta(days=29)
    table = risk_table(risk_analysis(session, first, last, rules, by),
                       list(RISK_CATEGORIES.values()))  # fmt: skip
    return export_response(table, export_format, f"risk-{by}-{first}-{last}", session=session,
                           reader=user, filters={"by": by})  # fmt: skip
