"""专人回访 on the agent's screen: the callbacks a special-attention listing gave to this agent
instead of the robot, and marking one done."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path
from pydantic import BaseModel, Field

from huifang.web.deps import CsrfUserDep, SessionDep, UserDep
from storage.dedicated_callbacks import agent_assignments, finish_assignment
from storage.queue_models import AssignmentStatus, CallbackAssignment

router = APIRouter(prefix="/api/my/assignments", tags=["dedicated-agent callbacks"])
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]
_REFUSED: dict[int | str, dict[str, Any]] = {401: {}, 403: {}, 404: {}, 409: {}}


class AssignmentOut(BaseModel):
    """A policy this agent calls back because its seller is on the special-attention list."""

    id: int
    policy_no: str
    holder_name: str
    salesperson: str
    deadline: date
    listed: str


class Done(BaseModel):
    """The call that did it, if there was one."""

    call_id: int | None = Field(None, ge=1, le=2**31 - 1)


@router.get("", responses={401: {}})
def mine(session: SessionDep, user: UserDep) -> list[AssignmentOut]:
    """The signed-in agent's open dedicated-agent callbacks, nearest deadline first."""
    return [_out(a) for a in agent_assignments(session, user.user_id)]


@router.post("/{assignment_id}/done", responses=_REFUSED)
def done(assignment_id: RowId, body: Done, session: SessionDep,
         user: CsrfUserDep) -> AssignmentOut:  # fmt: skip
    """The agent called the customer back."""
    found = session.get(CallbackAssignment, assignment_id)
    if found is None or found.agent_id != user.user_id:
        raise HTTPException(404, f"no assignment {assignment_id} of yours")
    if found.status is AssignmentStatus.DONE:
        raise HTTPException(409, f"assignment {assignment_id} is done already")
    finish_assignment(found, body.call_id)
    return _out(found)


def _out(assignment: CallbackAssignment) -> AssignmentOut:
    policy = assignment.policy
    return AssignmentOut(
        id=assignment.id, policy_no=policy.policy_no, holder_name=policy.holder_name,
        salesperson=policy.salesperson, deadline=policy.cooling_off_deadline,
        listed=f"特别关注条目 {assignment.entry_id}",
    )  # fmt: skip
