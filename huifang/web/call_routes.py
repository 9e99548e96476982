"""The calls API: list and read, limited and masked by role."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, status

from huifang.web.call_access import visible_call, visible_calls
from huifang.web.call_views import CallDetail, CallSummary, call_detail, call_summary
from huifang.web.deps import SessionDep, UserDep
from huifang.web.roles import sees_personal_data

# Row ids are 32-bit on every backend; larger numbers are simply not calls.
CallId = Annotated[int, Path(ge=1, le=2**31 - 1)]

router = APIRouter(prefix="/api/calls", tags=["calls"])


@router.get("", responses={401: {}})
def list_calls(
    session: SessionDep,
    user: UserDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> list[CallSummary]:
    """The calls the signed-in user may see, newest first."""
    return [call_summary(c) for c in visible_calls(session, user, limit=limit, offset=offset)]


@router.get("/{call_id}", responses={401: {}, 404: {}})
def read_call(call_id: CallId, session: SessionDep, user: UserDep) -> CallDetail:
    """One call with its policy card and answers; 404 when missing or not the user's."""
    call = visible_call(session, user, call_id)
    if call is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such call")
    return call_detail(call, masked=not sees_personal_data(user.role))
