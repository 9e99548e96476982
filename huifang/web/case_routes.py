"""The review console's problem cases: the ledger (问题件台账) with deadlines and overdue marks,
assigning and resolving a case, the daily summary, and their CSV/XLSX exports."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, status
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from huifang.web.deps import SessionDep
from huifang.web.ledger_views import (
    LedgerLine,
    SummaryLine,
    ledger_line,
    ledger_table,
    summary_line,
    summary_table,
)
from huifang.web.review_access import (
    FilterDay,
    FilterText,
    Limit,
    Offset,
    ReviewerCsrfDep,
    ReviewerDep,
    RulesDep,
    actor,
    oversees_reviews,
)
from huifang.web.review_routes import Handler, handler_out
from huifang.web.roles import sees_personal_data
from huifang.web.sign_ins import SignedInUser
from huifang.web.table_export import ExportFormat, export_response
from storage.case_ledger import LedgerFilter, daily_summary, ledger_rows
from storage.models import CaseStatus, Policy, ProblemCase, User
from storage.problem_cases import (
    DeadlineRules,
    ReviewError,
    assign_case,
    eligible_handlers,
    resolve_case,
)
from storage.review_models import CaseClass

CaseId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Day = Annotated[date, Query(ge=date(2000, 1, 1), le=date(2099, 12, 31))]

router = APIRouter(prefix="/api/review", tags=["problem cases"])
_REFUSED: dict[int | str, dict[str, Any]] = {401: {}, 403: {}, 404: {}, 409: {}}
_FILE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}, "application/octet-stream": {}}},
    401: {},
    403: {},
}


class Assignment(BaseModel):
    """Classify a case and give it to a handler (not the seller)."""

    classification: CaseClass
    handler_id: int = Field(ge=1, le=2**31 - 1)


class Resolution(BaseModel):
    """How the case was resolved."""

    resolution: str = Field(min_length=1, max_length=4000)


def _ledger_filter(
    status_: CaseStatus | None, overdue: bool, date_from: date | None, date_to: date | None,
    branch: str | None, team: str | None, salesperson: str | None, handler_id: int | None,
) -> LedgerFilter:  # fmt: skip
    return LedgerFilter(
        status=status_, overdue_only=overdue, date_from=date_from, date_to=date_to,
        branch=branch, team=team, salesperson=salesperson, handler_id=handler_id,
    )  # fmt: skip


def _lines(session: Session, user: SignedInUser, rules: DeadlineRules, wanted: LedgerFilter,
           limit: int, offset: int) -> list[LedgerLine]:  # fmt: skip
    today = rules.local_date(datetime.now(UTC))
    rows = ledger_rows(session, wanted, rules, today, limit=limit, offset=offset)
    masked = not sees_personal_data(user.role)
    return [ledger_line(row, masked=masked) for row in rows]


@router.get("/cases", responses={401: {}, 403: {}})
def list_cases(
    session: SessionDep,
    user: ReviewerDep,
    rules: RulesDep,
    status_: Annotated[CaseStatus | None, Query(alias="status")] = None,
    overdue: bool = False,
    date_from: FilterDay = None,
    date_to: FilterDay = None,
    branch: FilterText = None,
    team: FilterText = None,
    salesperson: FilterText = None,
    mine: Annotated[bool, Query(description="only the cases the signed-in user handles")] = False,
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[LedgerLine]:
    """Problem cases, newest first, with handler, deadline, overdue mark and resolution."""
    wanted = _ledger_filter(status_, overdue, date_from, date_to, branch, team, salesperson,
                            user.user_id if mine else None)  # fmt: skip
    return _lines(session, user, rules, wanted, limit, offset)


@router.get("/ledger/export", response_class=Response, responses=_FILE)
def export_ledger(
    session: SessionDep,
    user: ReviewerDep,
    rules: RulesDep,
    export_format: Annotated[ExportFormat, Query(alias="format")] = ExportFormat.CSV,
    status_: Annotated[CaseStatus | None, Query(alias="status")] = None,
    overdue: bool = False,
    date_from: FilterDay = None,
    date_to: FilterDay = None,
    branch: FilterText = None,
    team: FilterText = None,
    salesperson: FilterText = None,
    mine: bool = False,
) -> Response:
    """The ledger (问题件台账) as CSV or XLSX, masked as the reader's role requires."""
    wanted = _ledger_filter(status_, overdue, date_from, date_to, branch, team, salesperson,
                            user.user_id if mine else None)  # fmt: skip
    lines = _lines(session, user, rules, wanted, 100_000, 0)
    name = f"problem-case-ledger-{rules.local_date(datetime.now(UTC)).isoformat()}"
    filters = {"status": status_, "overdue": overdue, "date_from": date_from, "date_to": date_to,
               "branch": branch, "team": team, "salesperson": salesperson, "mine": mine}
    return export_response(ledger_table(lines, rules), export_format, name,
                           session=session, reader=user, filters=filters)  # fmt: skip


@router.get("/summary", responses={401: {}, 403: {}})
def read_summary(
    day: Day, session: SessionDep, _user: ReviewerDep, rules: RulesDep
) -> list[SummaryLine]:
    """The day per branch, team and salesperson: flags raised and decided, cases opened,
    closed, open and overdue at the day's end (for sales management)."""
    return [summary_line(row) for row in daily_summary(session, day, rules)]


@router.get("/summary/export", response_class=Response, responses=_FILE)
def export_summary(
    day: Day,
    session: SessionDep,
    user: ReviewerDep,
    rules: RulesDep,
    export_format: Annotated[ExportFormat, Query(alias="format")] = ExportFormat.CSV,
) -> Response:
    """The daily summary as CSV or XLSX."""
    lines = [summary_line(row) for row in daily_summary(session, day, rules)]
    return export_response(summary_table(lines, day), export_format, f"daily-summary-{day}",
                           session=session, reader=user, filters={"day": day})  # fmt: skip


@router.get("/cases/{case_id}/handlers", responses={401: {}, 403: {}, 404: {}})
def case_handlers(case_id: CaseId, session: SessionDep, _user: ReviewerDep) -> list[Handler]:
    """Who may handle this case: console users other than the seller of its policy."""
    policy = session.get(Policy, _case(session, case_id).policy_id)
    seller = policy.salesperson if policy else None
    return [handler_out(u) for u in eligible_handlers(session, seller)]


@router.post("/cases/{case_id}/assign", responses=_REFUSED)
def assign(
    case_id: CaseId, body: Assignment, session: SessionDep, user: ReviewerCsrfDep,
    rules: RulesDep,
) -> LedgerLine:  # fmt: skip
    """Classify the case and give it to a handler; the deadline runs from its opening."""
    case = _case(session, case_id)
    handler = session.get(User, body.handler_id)
    if handler is None:
        raise HTTPException(status.HTTP_409_CONFLICT, f"no user {body.handler_id}")
    try:
        assign_case(session, case, classification=body.classification, handler=handler,
                    actor=actor(user), rules=rules)  # fmt: skip
    except ReviewError as err:
        raise HTTPException(status.HTTP_409_CONFLICT, str(err)) from err
    return _line(session, user, rules, case_id)


@router.post("/cases/{case_id}/resolve", responses=_REFUSED)
def resolve(
    case_id: CaseId, body: Resolution, session: SessionDep, user: ReviewerCsrfDep,
    rules: RulesDep,
) -> LedgerLine:  # fmt: skip
    """Record the resolution and close the case: its handler, or a supervisor or admin."""
    case = _case(session, case_id)
    try:
        resolve_case(session, case, resolution=body.resolution, actor=actor(user),
                     may_resolve_others=oversees_reviews(user.role))  # fmt: skip
    except ReviewError as err:
        raise HTTPException(status.HTTP_409_CONFLICT, str(err)) from err
    return _line(session, user, rules, case_id)


def _case(session: Session, case_id: int) -> ProblemCase:
    case = session.get(ProblemCase, case_id)
    if case is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such problem case")
    return case


def _line(session: Session, user: SignedInUser, rules: DeadlineRules, case_id: int) -> LedgerLine:
    today = rules.local_date(datetime.now(UTC))
    rows = ledger_rows(session, LedgerFilter(case_id=case_id), rules, today)
    if not rows:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such problem case")
    return ledger_line(rows[0], masked=not sees_personal_data(user.role))
