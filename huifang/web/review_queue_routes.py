"""The review queue (质检队列): flagged calls filtered, sorted and paged on the server, the
total in X-Total-Count, and where one call stands in it (the workbench's previous and next)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Path, Query, Response
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent_assist.events import Severity
from huifang.web.call_views import CallSummary, call_summary
from huifang.web.deps import SessionDep
from huifang.web.review_access import FilterDay, FilterText, Limit, Offset, ReviewerDep, RulesDep
from storage.analysis import (
    FlagFilter,
    QueueOrder,
    calls_with_flags,
    count_calls_with_flags,
    flagged_call_ids,
)
from storage.analysis_models import FlagKind
from storage.review_models import FlagDisposition

router = APIRouter(prefix="/api/review", tags=["review"])
TOTAL_HEADER = "X-Total-Count"


class QueueItem(CallSummary):
    """One flagged call in the queue, with its sales channel and its matching flags in short."""

    salesperson: str | None
    team: str | None
    branch: str | None
    product_name: str | None
    flagged_at: datetime  # the latest matching flag
    flags: int
    undecided: int
    top_severity: str
    kinds: list[str]


class QueuePosition(BaseModel):
    """Where a call stands in the queue as filtered and sorted: 1-based, None if not in it."""

    position: int | None
    total: int
    previous: int | None
    next: int | None


def queue_filter(
    rules: RulesDep,
    kind: FlagKind | None = None,
    severity: Annotated[Severity | None, Query(description="this severity or higher")] = None,
    salesperson: FilterText = None,
    team: FilterText = None,
    branch: FilterText = None,
    product: FilterText = None,
    date_from: FilterDay = None,
    date_to: FilterDay = None,
    undecided: Annotated[bool, Query(description="only flags not yet decided")] = False,
) -> FlagFilter:
    """The queue's filter from the query string; dates are local days of the call's start."""
    zone = ZoneInfo(rules.timezone)
    return FlagFilter(
        kinds=(kind,) if kind else (), min_severity=severity, salesperson=salesperson,
        team=team, branch=branch, product=product,
        since=datetime.combine(date_from, time(), zone) if date_from else None,
        until=datetime.combine(date_to + timedelta(days=1), time(), zone) if date_to else None,
        undecided_only=undecided,
    )  # fmt: skip


FilterDep = Annotated[FlagFilter, Depends(queue_filter)]
SortParam = Annotated[QueueOrder, Query(description="what the queue is sorted by")]
OrderParam = Annotated[Literal["asc", "desc"], Query(description="ascending or descending")]


@router.get("/queue", responses={401: {}, 403: {}})
def review_queue(
    response: Response,
    session: SessionDep,
    _user: ReviewerDep,
    wanted: FilterDep,
    sort: SortParam = QueueOrder.FLAGGED_AT,
    order: OrderParam = "desc",
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[QueueItem]:
    """One page of the calls with flags matching the filter (default: most recently flagged
    first); the number of all such calls in the X-Total-Count header."""
    found = calls_with_flags(session, wanted, limit=limit, offset=offset, order=sort,
                             descending=order == "desc")  # fmt: skip
    response.headers[TOTAL_HEADER] = str(count_calls_with_flags(session, wanted))
    decided = _decided(session, [flag.id for item in found for flag in item.flags])
    return [
        QueueItem(
            **call_summary(item.call).model_dump(),
            salesperson=item.call.policy.salesperson if item.call.policy else None,
            team=item.call.policy.team if item.call.policy else None,
            branch=item.call.policy.branch if item.call.policy else None,
            product_name=item.call.policy.product_name if item.call.policy else None,
            flagged_at=max(flag.raised_at for flag in item.flags),
            flags=len(item.flags),
            undecided=sum(flag.id not in decided for flag in item.flags),
            top_severity=item.top_severity.value,
            kinds=sorted({flag.kind.value for flag in item.flags}),
        )
        for item in found
    ]


@router.get("/queue/around/{call_id}", responses={401: {}, 403: {}})
def queue_position(
    call_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    session: SessionDep,
    _user: ReviewerDep,
    wanted: FilterDep,
    sort: SortParam = QueueOrder.FLAGGED_AT,
    order: OrderParam = "desc",
) -> QueuePosition:
    """The call's place in the queue and its neighbours, so the workbench steps through the
    queue without going back to it (a decided call may have left an undecided-only queue:
    then its neighbours are the queue's first calls)."""
    ids = flagged_call_ids(session, wanted, order=sort, descending=order == "desc")
    if call_id not in ids:
        return QueuePosition(position=None, total=len(ids), previous=None,
                             next=ids[0] if ids else None)  # fmt: skip
    at = ids.index(call_id)
    return QueuePosition(
        position=at + 1, total=len(ids), previous=ids[at - 1] if at > 0 else None,
        next=ids[at + 1] if at + 1 < len(ids) else None,
    )  # fmt: skip


def _decided(session: Session, flag_ids: list[int]) -> set[int]:
    query = select(FlagDisposition.flag_id).where(FlagDisposition.flag_id.in_(flag_ids))
    return set(session.scalars(query))
