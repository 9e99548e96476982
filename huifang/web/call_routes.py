"""The calls API: list and read, with the stored transcript and hints of a call (what the agent
screen shows once the call has ended); limited and masked by role."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, status

from huifang.web.call_access import visible_call, visible_calls
from huifang.web.call_views import CallDetail, CallSummary, call_detail, call_summary
from huifang.web.deps import SessionDep, UserDep
from huifang.web.roles import sees_personal_data
from huifang.web.stored_hints import stored_hint_events
from huifang.web.transcript_view import TranscriptOut, marked_transcript
from storage.analysis import flags_for_call
from storage.models import CallRecord
from storage.transcript_models import TranscriptPass

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
    call = _call_or_404(session, user, call_id)
    return call_detail(call, masked=not sees_personal_data(user.role))


@router.get("/{call_id}/transcript", responses={401: {}, 404: {}})
def read_transcript(call_id: CallId, session: SessionDep, user: UserDep) -> TranscriptOut:
    """The call's stored transcript as the agent saw it (the live pass, else the after-call
    one), the words the rules flagged marked."""
    call = _call_or_404(session, user, call_id)
    return marked_transcript(
        session, call, flags_for_call(session, call.id), masked=not sees_personal_data(user.role),
        prefer=(TranscriptPass.LIVE, TranscriptPass.AFTER_CALL),
    )  # fmt: skip


@router.get("/{call_id}/hints", responses={401: {}, 404: {}})
def read_hints(call_id: CallId, session: SessionDep, user: UserDep) -> list[dict[str, Any]]:
    """The call's stored hints and voice cues as the agent screen's live events
    ({"type": "Hint" | "VoiceCue", "event": …}), in call order."""
    call = _call_or_404(session, user, call_id)
    flags = flags_for_call(session, call.id)
    return stored_hint_events(flags, masked=not sees_personal_data(user.role))


def _call_or_404(session: SessionDep, user: UserDep, call_id: int) -> CallRecord:
    call = visible_call(session, user, call_id)
    if call is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such call")
    return call
