"""The review console's calls: one flagged call's evidence, recording and energy lanes, and
the disposition of its flags (confirm into a problem case, or dismiss with a reason)."""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, status
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from huifang.web.call_access import visible_call
from huifang.web.deps import SessionDep
from huifang.web.recording_energy import RecordingReadError, recording_energy
from huifang.web.review_access import (
    ReviewerCsrfDep,
    ReviewerDep,
    RulesDep,
    actor,
)
from huifang.web.review_views import DispositionOut, ReviewCall, disposition_out, review_call
from huifang.web.roles import sees_personal_data
from huifang.web.sign_ins import SignedInUser
from storage.analysis_models import CallFlag
from storage.dispositions import confirm_flag, dismiss_flag
from storage.models import CallRecord, User
from storage.problem_cases import ReviewError, eligible_handlers
from storage.review_models import CaseClass

RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]

router = APIRouter(prefix="/api/review", tags=["review"])
_REFUSED: dict[int | str, dict[str, Any]] = {401: {}, 403: {}, 404: {}, 409: {}}


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


class EnergyOut(BaseModel):
    """The recording's levels per leg (0–1) over equal slices, for the workbench's lanes."""

    duration_ms: int
    legs: dict[str, list[float]]


@router.get("/calls/{call_id}/energy", responses={401: {}, 403: {}, 404: {}, 422: {}})
def call_energy(call_id: RowId, session: SessionDep, user: ReviewerDep,
                points: Annotated[int, Query(ge=10, le=4000)] = 800) -> EnergyOut:
    """How loud each leg is over the call, in `points` slices."""
    path = _recording(_call(session, user, call_id))
    if path is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "this call has no recording")
    try:
        energy = recording_energy(path, points)
    except RecordingReadError as err:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(err)) from err
    return EnergyOut(duration_ms=energy.duration_ms, legs=energy.legs)


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
