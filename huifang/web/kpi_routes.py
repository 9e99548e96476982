"""The callback KPIs for supervisors, admins and (read-only, like everything here) reviewers:
the report as JSON, the definitions, and the table as CSV/XLSX. Agents are refused."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.responses import Response
from sqlalchemy.orm import Session

from huifang.web.deps import SessionDep, SettingsDep, current_user
from huifang.web.kpi_views import (
    KpiDefinitionOut,
    KpiReportOut,
    definition_out,
    kpi_table,
    kpi_targets,
    report_out,
    sharp_change_rule,
)
from huifang.web.review_access import FilterDay, RulesDep
from huifang.web.sign_ins import SignedInUser
from huifang.web.table_export import ExportFormat, export_response
from storage.kpi_definitions import DEFINITIONS
from storage.kpi_periods import Period, PeriodRangeError, default_range
from storage.kpis import Grouping, KpiRequest, KpiTargets, SharpChangeRule, kpi_report
from storage.models import UserRole
from storage.problem_cases import DeadlineRules

# Figures per salesperson are management information: not for the callback agents themselves.
KPI_ROLES = frozenset({UserRole.REVIEWER, UserRole.SUPERVISOR, UserRole.ADMIN})

router = APIRouter(prefix="/api/kpis", tags=["KPIs"])
_REFUSED: dict[int | str, dict[str, Any]] = {401: {}, 403: {}, 422: {}}
_FILE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}, "application/octet-stream": {}}},
    401: {}, 403: {}, 422: {},
}  # fmt: skip


def reads_kpis(role: UserRole) -> bool:
    """Whether the role may read the KPIs."""
    return role in KPI_ROLES


def _kpi_reader(user: Annotated[SignedInUser, Depends(current_user)]) -> SignedInUser:
    if not reads_kpis(user.role):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "the KPIs are for reviewers and managers")
    return user


def _rule(settings: SettingsDep) -> SharpChangeRule:
    return sharp_change_rule(settings)


ReaderDep = Annotated[SignedInUser, Depends(_kpi_reader)]
RuleDep = Annotated[SharpChangeRule, Depends(_rule)]
PeriodQuery = Annotated[Period, Query(description="length of one bucket")]
GroupingQuery = Annotated[Grouping, Query(alias="by", description="what the figures break down by")]


def kpi_request(period: Period, grouping: Grouping, date_from: date | None,
                date_to: date | None, today: date) -> KpiRequest:  # fmt: skip
    """The request for a range; a missing end is today, a missing start eight periods back."""
    last = date_to or max(today, date_from or today)
    first = date_from or default_range(last, period)[0]
    return KpiRequest(period, grouping, first, last)


def _targets(settings: SettingsDep) -> KpiTargets:
    try:
        return kpi_targets(settings)
    except ValueError as err:
        raise HTTPException(500, str(err)) from err


TargetsDep = Annotated[KpiTargets, Depends(_targets)]


def _report(session: Session, rules: DeadlineRules, rule: SharpChangeRule, period: Period,
            grouping: Grouping, date_from: date | None, date_to: date | None,
            targets: KpiTargets) -> KpiReportOut:  # fmt: skip
    today = rules.local_date(datetime.now(UTC))
    request = kpi_request(period, grouping, date_from, date_to, today)
    try:
        return report_out(kpi_report(session, request, rules, rule, targets))
    except PeriodRangeError as err:
        raise HTTPException(422, str(err)) from err


@router.get("", responses=_REFUSED)
def read_kpis(
    session: SessionDep,
    _user: ReaderDep,
    rules: RulesDep,
    rule: RuleDep,
    targets: TargetsDep,
    period: PeriodQuery = Period.WEEK,
    grouping: GroupingQuery = Grouping.OVERALL,
    date_from: FilterDay = None,
    date_to: FilterDay = None,
) -> KpiReportOut:
    """Every KPI per period and group, each with numerator, denominator, the change from the
    period before and a sharp-change mark; the definitions come with the figures."""
    return _report(session, rules, rule, period, grouping, date_from, date_to, targets)


@router.get("/definitions", responses={401: {}, 403: {}})
def read_definitions(_user: ReaderDep, targets: TargetsDep) -> list[KpiDefinitionOut]:
    """What each KPI counts: numerator, denominator, which rows, which date buckets them."""
    return [definition_out(d, targets) for d in DEFINITIONS]


@router.get("/export", response_class=Response, responses=_FILE)
def export_kpis(
    session: SessionDep,
    user: ReaderDep,
    rules: RulesDep,
    rule: RuleDep,
    targets: TargetsDep,
    export_format: Annotated[ExportFormat, Query(alias="format")] = ExportFormat.CSV,
    period: PeriodQuery = Period.WEEK,
    grouping: GroupingQuery = Grouping.OVERALL,
    date_from: FilterDay = None,
    date_to: FilterDay = None,
) -> Response:
    """The KPI table, one line per period, group and figure, as CSV or XLSX."""
    report = _report(session, rules, rule, period, grouping, date_from, date_to, targets)
    name = f"kpis-{report.period}-{report.grouping}-{report.date_from}-{report.date_to}"
    filters = {"period": period, "grouping": grouping, "date_from": date_from, "date_to": date_to}
    return export_response(kpi_table(report), export_format, name,
                           session=session, reader=user, filters=filters)  # fmt: skip
