"""The review console's calls: the queue of flagged calls, one call's evidence and recording,
and the disposition of its flags (confirm into a problem case, or dismiss with a reason)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path as FilePath
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Path, Query, status
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent_assist.events import Severity
from huifang.web.call_access import visible_call
from huifang.web.call_views import CallSummary, call_summary
from huifang.web.deps import SessionDep
from huifang.web.review_access import (
    FilterDay,
    FilterText,
    Limit,
    Offset,
    ReviewerCsrfDep,
    ReviewerDep,
    RulesDep,
    actor,
)
from huifang.web.review_views import DispositionOut, ReviewCall, disposition_out, review_call
from huifang.web.roles import sees_personal_data
from huifang.web.sign_ins import SignedInUser
from storage.analysis import FlagFilter, calls_with_flags
from storage.analysis_models import CallFlag, FlagKind
from storage.dispositions import confirm_flag, dismiss_flag
from storage.models import CallRecord, User
from storage.problem_cases import ReviewError, eligible_handlers
from storage.review_models import CaseClass, FlagDisposition

RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]

router = APIRouter(prefix="/api/review", tags=["review"])
_REFUSED: dict[int | str, dict[str, Any]] = {401: {}, 403: {}, 404: {}, 409: {}}


class QueueItem(CallSummary):
    """One flagged call in the queue, with its sales channel and its matching flags in short."""

    salesperson: str | None
    team: str | None
    branch: str | None
    product_name: str | None
    flags: int
    undecided: int
    top_severity: str
    kinds: list[str]


class Confirmation(BaseModel):
    """Confirm a flag: the problem case's classification, its handler, a note."""

    classification: CaseClass
    handler_id: int = Field(ge=1, le=2**31 - 1)
    note: str = Field("", max_length=2000)


class Dismissal(BaseModel):
    """Dismiss a flag; the reason is required."""

    reason: str = Field(min_length=1, max_length=2000)


class Handler(BaseModel):
    """Someone who may handle a problem case."""

    id: int
    username: str
    role: str


@router.get("/queue", responses={401: {}, 403: {}})
def review_queue(
    session: SessionDep,
    _user: ReviewerDep,
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
    limit: Limit = 100,
    offset: Offset = 0,
) -> list[QueueItem]:
    """Calls with flags matching the filter, most recently flagged first."""
    zone = ZoneInfo(rules.timezone)
    wanted = FlagFilter(
        kinds=(kind,) if kind else (), min_severity=severity, salesperson=salesperson,
        team=team, branch=branch, product=product,
        since=datetime.combine(date_from, time(), zone) if date_from else None,
        until=datetime.combine(date_to + timedelta(days=1), time(), zone) if date_to else None,
        undecided_only=undecided,
    )  # fmt: skip
    found = calls_with_flags(session, wanted, limit=limit, offset=offset)
    decided = _decided(session, [flag.id for item in found for flag in item.flags])
    return [
        QueueItem(
            **call_summary(item.call).model_dump(),
            salesperson=item.call.policy.salesperson if item.call.policy else None,
            team=item.call.policy.team if item.call.policy else None,
            branch=item.call.policy.branch if item.call.policy else None,
            product_name=item.call.policy.product_name if item.call.policy else None,
            flags=len(item.flags),
            undecided=sum(flag.id not in decided for flag in item.flags),
            top_severity=item.top_severity.value,
            kinds=sorted({flag.kind.value for flag in item.flags}),
        )
        for item in found
    ]


@router.get("/calls/{call_id}", responses={401: {}, 403: {}, 404: {}})
def read_review_call(
    call_id: RowId, session: SessionDep, user: ReviewerDep
) -> ReviewCall:
    """A call's flags with their decisions, its transcript with the evidence marked, its cues."""
    call = _call(session, user, call_id)
    return review_call(
        session, call, masked=not sees_personal_data(user.role),
        has_recording=_recording(call) is not None,
    )  # fmt: skip


@router.get(
    "/calls/{call_id}/recording",
    response_class=FileResponse,
    responses={200: {"content": {"audio/wav": {}}}, 206: {}, 401: {}, 403: {}, 404: {}, 416: {}},
)
def call_recording(call_id: RowId, session: SessionDep, user: ReviewerDep) -> FileResponse:
    """The call's recording as WAV; Range requests let the player seek."""
    path = _recording(_call(session, user, call_id))
    if path is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "this call has no recording")
    # Personal data: the browser may keep it for the page, but no shared cache may.
    return FileResponse(path, media_type="audio/wav", headers={"Cache-Control": "private"})


@router.get("/calls/{call_id}/handlers", responses={401: {}, 403: {}, 404: {}})
def call_handlers(call_id: RowId, session: SessionDep, user: ReviewerDep) -> list[Handler]:
    """Who may handle a problem case from this call: console users other than its seller."""
    call = _call(session, user, call_id)
    seller = call.policy.salesperson if call.policy else None
    return [handler_out(u) for u in eligible_handlers(session, seller)]


def handler_out(user: User) -> Handler:
    """A possible handler as the API shows them."""
    return Handler(id=user.id, username=user.username, role=user.role.value)


@router.post("/flags/{flag_id}/confirm", status_code=status.HTTP_201_CREATED,
             responses=_REFUSED)  # fmt: skip
def confirm(
    flag_id: RowId,
    body: Confirmation,
    session: SessionDep,
    user: ReviewerCsrfDep,
    rules: RulesDep,
) -> DispositionOut:
    """Confirm the flag: a problem case (问题件) opens, classified and assigned."""
    flag = _flag(session, flag_id)
    handler = session.get(User, body.handler_id)
    if handler is None:
        raise HTTPException(status.HTTP_409_CONFLICT, f"no user {body.handler_id}")
    try:
        disposition, _case = confirm_flag(
            session, flag, classification=body.classification, handler=handler,
            note=body.note, actor=actor(user), rules=rules,
        )  # fmt: skip
    except ReviewError as err:
        raise HTTPException(status.HTTP_409_CONFLICT, str(err)) from err
    return disposition_out(disposition, user.username)


@router.post("/flags/{flag_id}/dismiss", status_code=status.HTTP_201_CREATED,
             responses=_REFUSED)  # fmt: skip
def dismiss(
    flag_id: RowId, body: Dismissal, session: SessionDep, user: ReviewerCsrfDep
) -> DispositionOut:
    """Dismiss the flag with the reason given."""
    flag = _flag(session, flag_id)
    try:
        disposition = dismiss_flag(session, flag, reason=body.reason, actor=actor(user))
    except ReviewError as err:
        raise HTTPException(status.HTTP_409_CONFLICT, str(err)) from err
    return disposition_out(disposition, user.username)


def _call(session: Session, user: SignedInUser, call_id: int) -> CallRecord:
    call = visible_call(session, user, call_id)
    if call is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such call")
    return call


def _flag(session: Session, flag_id: int) -> CallFlag:
    flag = session.get(CallFlag, flag_id)
    if flag is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such flag")
    return flag


def _recording(call: CallRecord) -> FilePath | None:
    """The call's WAV file if it is still there."""
    if not call.recording_path:
        return None
    path = FilePath(call.recording_path)
    return path if path.suffix.lower() == ".wav" and path.is_file() else None


def _decided(session: Session, flag_ids: list[int]) -> set[int]:
    query = select(FlagDisposition.flag_id).where(FlagDisposition.flag_id.in_(flag_ids))
    return set(session.scalars(query))

