"""The agent's live-call API: start a bridged callback, read the script, and with one click
mark an item, write a note, raise a problem case (问题件) or register a complaint or surrender
request the customer made (into the complaint workflow, to policy service). Each action is
stored and shown on every screen watching the call."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, HTTPException, Path, Request, status
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from huifang.calls.agent_pool import FreeAgent
from huifang.calls.bus import EventBus
from huifang.calls.desk import LiveDeskError
from huifang.calls.events import AgentNote, ItemMarked, ItemState, ProblemCaseRaised
from huifang.calls.policy_lookup import DedicatedAgentError, UnknownPolicyError, callback_policy
from huifang.web.call_access import visible_call
from huifang.web.deps import CsrfUserDep, SessionDep, UserDep
from huifang.web.review_access import RulesDep
from huifang.web.roles import sees_personal_data
from huifang.web.script_view import CallScriptOut, call_script, problem_kind_of
from huifang.web.sign_ins import SignedInUser
from scripts_zh.script_loader import script_for
from storage.agent_actions import (
    HeardRequest,
    add_note,
    call_actions,
    mark_item,
    raise_problem_case,
    register_request,
)
from storage.audit import Actor
from storage.live_models import AgentAction
from storage.models import CallRecord, UserRole
from storage.service_models import Complaint
from zhtext.personal_numbers import mask_personal_numbers

if TYPE_CHECKING:
    from huifang.calls.desk import LiveDesk

CallId = Annotated[int, Path(ge=1, le=2**31 - 1)]
# Reviewers judge recordings afterwards; the people on or over a live call act on it.
_ACTING_ROLES = frozenset({UserRole.AGENT, UserRole.SUPERVISOR, UserRole.ADMIN})
StepId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")]
SipUri = Annotated[str, Field(min_length=5, max_length=255, pattern=r"^sips?:[^\s<>\"]+$")]

router = APIRouter(tags=["live calls"])


class StartCallback(BaseModel):
    """Start a callback: huifang rings the agent's softphone, then dials the policyholder."""

    policy_no: str = Field(min_length=1, max_length=32)
    agent_uri: SipUri  # the agent's softphone (remembered by their browser)
    customer_uri: SipUri | None = None  # default: HUIFANG_CAMPAIGN_DIAL_URI with the phone


class StartedCallback(BaseModel):
    """The new call: its screen is /app/agent.html?call=ID."""

    call_id: int


class RobotCallback(BaseModel):
    """Start an automated callback that hands 转人工 over to a free agent."""

    policy_no: str = Field(min_length=1, max_length=32)
    customer_uri: SipUri | None = None  # default: HUIFANG_CAMPAIGN_DIAL_URI with the phone


class Availability(BaseModel):
    """An agent free for handed-over calls, and where their softphone answers."""

    agent_uri: SipUri


class AvailabilityOut(BaseModel):
    """Whether the agent waits for a handed-over call."""

    free: bool


class MarkIn(BaseModel):
    """The agent's verdict on one script item."""

    step_id: StepId
    state: ItemState


class NoteIn(BaseModel):
    """A note on the call."""

    text: str = Field(min_length=1, max_length=2000)


class ProblemCaseIn(BaseModel):
    """A problem case raised from the screen, on one item or the call as a whole."""

    step_id: StepId | None = None
    note: str = Field(default="", max_length=2000)


class RequestIn(BaseModel):
    """A complaint or surrender request the customer made on the call, in their words."""

    kind: HeardRequest
    text: str = Field(min_length=1, max_length=2000)


class ActionOut(BaseModel):
    """One stored action of an agent on the call."""

    id: int
    kind: str
    by: str
    step_id: str | None
    state: str | None
    text: str
    problem_case_id: int | None
    done_at: datetime


class RequestOut(ActionOut):
    """The stored action, and the complaint or policy-service request it opened."""

    complaint_id: int | None
    service_request_id: int | None


@router.post("/api/live/callbacks", status_code=status.HTTP_202_ACCEPTED,
             responses={401: {}, 403: {}, 404: {}, 422: {}, 409: {}})
async def start_callback(body: StartCallback, request: Request,
                         user: CsrfUserDep) -> StartedCallback:
    """Ring the agent's softphone, dial the policyholder, bridge them; the call is the agent's."""
    if user.role is not UserRole.AGENT:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only agents place live callbacks")
    desk = _desk(request)
    try:
        call_id = await desk.start_callback(user.user_id, body.policy_no, body.agent_uri,
                                            body.customer_uri)
    except UnknownPolicyError as err:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(err)) from err
    except LiveDeskError as err:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(err)) from err
    except LookupError as err:  # the signed-in user was removed meanwhile
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "sign in first") from err
    return StartedCallback(call_id=call_id)


@router.post("/api/live/robot-callbacks", status_code=status.HTTP_202_ACCEPTED,
             responses={401: {}, 403: {}, 404: {}, 422: {}, 409: {}})
async def start_robot_callback(body: RobotCallback, request: Request,
                               user: CsrfUserDep) -> StartedCallback:
    """Start an automated callback (预回访); 转人工 rings the longest-waiting free agent."""
    if user.role not in (UserRole.SUPERVISOR, UserRole.ADMIN):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "supervisors start automated callbacks")
    desk = _desk(request)
    try:
        customer_uri = body.customer_uri or await desk.customer_uri(body.policy_no)
        call_id = await desk.start_robot_callback(body.policy_no, customer_uri)
    except UnknownPolicyError as err:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(err)) from err
    except DedicatedAgentError as err:  # 专人回访: the named agent calls, never the robot
        raise HTTPException(status.HTTP_409_CONFLICT, str(err)) from err
    except LiveDeskError as err:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(err)) from err
    return StartedCallback(call_id=call_id)


@router.put("/api/live/availability", responses={401: {}, 403: {}, 409: {}})
def offer_availability(body: Availability, request: Request,
                       user: CsrfUserDep) -> AvailabilityOut:
    """The agent is free for handed-over calls on this softphone (until taken or withdrawn)."""
    desk = _agent_desk(request, user)
    desk.agents.offer(FreeAgent(user.user_id, user.username, body.agent_uri))
    return AvailabilityOut(free=True)


@router.delete("/api/live/availability", responses={401: {}, 403: {}, 409: {}})
def withdraw_availability(request: Request, user: CsrfUserDep) -> AvailabilityOut:
    """The agent is no longer free for handed-over calls."""
    _agent_desk(request, user).agents.withdraw(user.user_id)
    return AvailabilityOut(free=False)


@router.get("/api/live/availability", responses={401: {}, 403: {}, 409: {}})
def read_availability(request: Request, user: UserDep) -> AvailabilityOut:
    """Whether the agent still waits for a handed-over call."""
    return AvailabilityOut(free=_agent_desk(request, user).agents.is_free(user.user_id))


@router.get("/api/calls/{call_id}/script", responses={401: {}, 404: {}})
def read_script(call_id: CallId, session: SessionDep, user: UserDep) -> CallScriptOut:
    """The call's script with each item's state (dialogue verdicts, then the agent's marks)."""
    call = _call_or_404(session, user, call_id)
    script = call_script(session, call, masked=not sees_personal_data(user.role))
    if script is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "this call has no policy, so no script")
    return script


@router.get("/api/calls/{call_id}/actions", responses={401: {}, 404: {}})
def list_actions(call_id: CallId, session: SessionDep, user: UserDep) -> list[ActionOut]:
    """Every mark, note and problem case raised on the call, oldest first."""
    _call_or_404(session, user, call_id)
    masked = not sees_personal_data(user.role)
    return [_action_out(a, masked) for a in call_actions(session, call_id)]


@router.post("/api/calls/{call_id}/marks", status_code=status.HTTP_201_CREATED,
             responses={401: {}, 403: {}, 404: {}, 422: {}})
def mark(call_id: CallId, body: MarkIn, request: Request, session: SessionDep,
         user: CsrfUserDep) -> ActionOut:
    """Mark one script item asked, confirmed or a problem."""
    call = _acting_call(session, user, call_id)
    _known_step(session, call, body.step_id)
    action = mark_item(session, call, _actor(user), body.step_id, body.state.value)
    _bus(request).publish(call_id, ItemMarked(body.step_id, body.state, user.username))
    return _action_out(action, masked=not sees_personal_data(user.role))


@router.post("/api/calls/{call_id}/notes", status_code=status.HTTP_201_CREATED,
             responses={401: {}, 403: {}, 404: {}})
def note(call_id: CallId, body: NoteIn, request: Request, session: SessionDep,
         user: CsrfUserDep) -> ActionOut:
    """Write a note on the call."""
    call = _acting_call(session, user, call_id)
    action = add_note(session, call, _actor(user), body.text)
    _bus(request).publish(call_id, AgentNote(body.text, user.username))
    return _action_out(action, masked=not sees_personal_data(user.role))


@router.post("/api/calls/{call_id}/problem-cases", status_code=status.HTTP_201_CREATED,
             responses={401: {}, 403: {}, 404: {}, 422: {}})
def problem_case(call_id: CallId, body: ProblemCaseIn, request: Request, session: SessionDep,
                 user: CsrfUserDep) -> ActionOut:
    """Open a problem case on the call's policy (the step's problem kind, else process)."""
    call = _acting_call(session, user, call_id)
    kind = "process"
    if body.step_id is not None:
        kind = _known_step(session, call, body.step_id)
    case, action = raise_problem_case(session, call, _actor(user), body.step_id, body.note, kind)
    _bus(request).publish(
        call_id, ProblemCaseRaised(case.id, body.step_id, body.note, user.username))
    return _action_out(action, masked=not sees_personal_data(user.role))


@router.post("/api/calls/{call_id}/requests", status_code=status.HTTP_201_CREATED,
             responses={401: {}, 403: {}, 404: {}, 422: {}})
def register(call_id: CallId, body: RequestIn, request: Request, session: SessionDep,
             user: CsrfUserDep, rules: RulesDep) -> RequestOut:  # fmt: skip
    """Register a complaint (its clocks start now) or hand a surrender request to policy
    service (its deadline counted in working days), on the call's policy."""
    call = _acting_call(session, user, call_id)
    made, action = register_request(session, call, _actor(user), body.kind, body.text, rules)
    what = "投诉" if isinstance(made, Complaint) else "退保申请"
    _bus(request).publish(call_id, AgentNote(f"已登记{what} #{made.id}：{body.text}",
                                             user.username))  # fmt: skip
    out = _action_out(action, masked=not sees_personal_data(user.role))
    return RequestOut(**out.model_dump(),
                      complaint_id=made.id if isinstance(made, Complaint) else None,
                      service_request_id=None if isinstance(made, Complaint) else made.id)


# --- helpers ------------------------------------------------------------------------------


def _desk(request: Request) -> LiveDesk:
    desk: LiveDesk | None = request.app.state.live_desk
    if desk is None or desk.phone is None:
        # 409, not 503: the server works as configured, it just places no calls.
        raise HTTPException(status.HTTP_409_CONFLICT, "no SIP endpoint in this server")
    return desk


def _agent_desk(request: Request, user: SignedInUser) -> LiveDesk:
    if user.role is not UserRole.AGENT:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "only agents take handed-over calls")
    return _desk(request)


def _call_or_404(session: Session, user: SignedInUser, call_id: int) -> CallRecord:
    call = visible_call(session, user, call_id)
    if call is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such call")
    return call


def _acting_call(session: Session, user: SignedInUser, call_id: int) -> CallRecord:
    """The call, if the user may see it and their role acts on live calls."""
    call = _call_or_404(session, user, call_id)
    if user.role not in _ACTING_ROLES:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "reviewers do not act on live calls")
    if call.policy is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "this call has no policy, so no script")
    return call


def _known_step(session: Session, call: CallRecord, step_id: str) -> str:
    """The step's problem kind; 422 when the call's script has no such step."""
    assert call.policy is not None
    kind = problem_kind_of(script_for(callback_policy(session, call.policy)), step_id)
    if kind is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            f"step_id: no step {step_id!r} in this call's script")
    return kind


def _bus(request: Request) -> EventBus:
    bus: EventBus = request.app.state.event_bus
    return bus


def _actor(user: SignedInUser) -> Actor:
    return Actor(user.user_id, user.username)


def _action_out(action: AgentAction, masked: bool) -> ActionOut:
    text = mask_personal_numbers(action.text) if masked else action.text
    return ActionOut(id=action.id, kind=action.kind.value, by=_username(action),
                     step_id=action.step_id, state=action.state, text=text,
                     problem_case_id=action.problem_case_id, done_at=action.done_at)


def _username(action: AgentAction) -> str:
    return action.user.username
