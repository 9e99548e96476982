"""The console's follow-up queues: complaints (投诉) with their clocks and stages, requests
handed to policy service (保全) and the robot's promises to customers, for reviewers,
supervisors and admins; every change in the audit trail."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, HTTPException, Path
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from huifang.web.deps import SessionDep
from huifang.web.review_access import ReviewerCsrfDep, ReviewerDep, RulesDep, actor
from huifang.web.roles import sees_personal_data
from huifang.web.sign_ins import SignedInUser
from storage import complaints as workflow
from storage import policy_service
from storage.customer_promises import keep_promise
from storage.models import Policy, User
from storage.problem_cases import DeadlineRules, ReviewError, eligible_handlers
from storage.repository import Repository
from storage.service_models import (
    Complaint,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintKind,
    ComplaintStage,
    CustomerPromise,
    PromiseStatus,
    ServiceRequest,
    ServiceStatus,
)
from zhtext.personal_numbers import mask_personal_numbers

router = APIRouter(prefix="/api/followups", tags=["follow-ups"])
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]
_REFUSED: dict[int | str, dict[str, Any]] = {401: {}, 403: {}, 404: {}, 409: {}}
_LIMIT = 500
_Row = TypeVar("_Row")


class ClockOut(BaseModel):
    """One clock of a complaint."""

    name: str
    due: datetime | None
    done_at: datetime | None
    state: str


class ComplaintOut(BaseModel):
    """A complaint with its stage, handler, clocks and history."""

    id: int
    policy_no: str | None
    salesperson: str | None
    channel: str
    kind: str
    category: str | None
    summary: str
    stage: str
    handler: str | None
    received_at: datetime
    handle_due: date
    feedback_due: date | None
    outcome: str
    reminded: list[str]
    escalated: list[str]
    clocks: list[ClockOut]
    steps: list[dict[str, Any]]


class ComplaintIn(BaseModel):
    """A complaint received by hand (hotline, letter, visit)."""

    summary: str = Field(min_length=1, max_length=2000)
    kind: ComplaintKind = ComplaintKind.COMPLAINT
    channel: ComplaintChannel = ComplaintChannel.PHONE
    policy_no: str | None = Field(None, max_length=32)


class ComplaintStep(BaseModel):
    """Acknowledge, respond, or move to the next stage (分类 with category and handler)."""

    action: str = Field(pattern="^(acknowledge|respond|advance)$")
    note: str = Field(min_length=1, max_length=2000)
    stage: ComplaintStage | None = None
    category: ComplaintCategory | None = None
    handler_id: int | None = Field(None, ge=1, le=2**31 - 1)


class ServiceOut(BaseModel):
    """A request handed to policy service, with its deadlines."""

    id: int
    policy_no: str
    kind: str
    in_cooling_off: bool
    text: str
    status: str
    received_at: datetime
    accept_due: date
    material_due: date
    material_requested: bool
    overdue: bool
    note: str


class ServiceStep(BaseModel):
    """material | material_received | accept | complete | withdraw, with a note."""

    action: str = Field(pattern="^(material|material_received|accept|complete|withdraw)$")
    note: str = Field(min_length=1, max_length=2000)


class PromiseOut(BaseModel):
    """A promise the robot made, with its due time."""

    id: int
    policy_no: str | None
    call_id: int
    promise: str
    made_at: datetime
    due_at: datetime
    status: str
    overdue: bool
    kept_by: str
    note: str


class Note(BaseModel):
    """What was done."""

    note: str = Field(min_length=1, max_length=2000)


@router.get("/complaints", responses={401: {}, 403: {}})
def list_complaints(session: SessionDep, user: ReviewerDep, rules: RulesDep,
                    open_only: bool = True) -> list[ComplaintOut]:  # fmt: skip
    """Complaints, oldest first: open ones only unless asked."""
    query = select(Complaint).order_by(Complaint.received_at).limit(_LIMIT)
    if open_only:
        query = query.where(Complaint.stage != ComplaintStage.ARCHIVED)
    now = datetime.now(UTC)
    return [_complaint_out(session, c, rules, now, user) for c in session.scalars(query)]


@router.post("/complaints", status_code=201, responses=_REFUSED)
def receive_complaint(body: ComplaintIn, session: SessionDep, user: ReviewerCsrfDep,
                      rules: RulesDep) -> ComplaintOut:  # fmt: skip
    """Receive (受理) a complaint that came in another way than a callback."""
    policy = _policy(session, body.policy_no) if body.policy_no else None
    complaint = _refusing(lambda: workflow.open_complaint(
        session, summary=body.summary, kind=body.kind, channel=body.channel,
        received_at=datetime.now(UTC), rules=rules, actor=actor(user),
        policy_id=policy.id if policy else None))  # fmt: skip
    return _complaint_out(session, complaint, rules, datetime.now(UTC), user)


@router.post("/complaints/{complaint_id}", responses=_REFUSED)
def step_complaint(complaint_id: RowId, body: ComplaintStep, session: SessionDep,
                   user: ReviewerCsrfDep, rules: RulesDep) -> ComplaintOut:  # fmt: skip
    """One step of the workflow; refused out of order, without a category, or by the seller."""
    complaint = _found(session.get(Complaint, complaint_id), "complaint", complaint_id)
    who = actor(user)
    if body.action == "acknowledge":
        _refusing(lambda: workflow.acknowledge(session, complaint, body.note, who))
    elif body.action == "respond":
        _refusing(lambda: workflow.respond(session, complaint, body.note, who))
    else:
        if body.stage is None:
            raise HTTPException(422, "advance needs the stage to move to")
        stage = body.stage
        handler = session.get(User, body.handler_id) if body.handler_id else None
        _refusing(lambda: workflow.advance(session, complaint, stage, body.note, who, rules,
                                           category=body.category, handler=handler))
    return _complaint_out(session, complaint, rules, datetime.now(UTC), user)


@router.get("/complaints/{complaint_id}/handlers", responses={401: {}, 403: {}, 404: {}})
def complaint_handlers(complaint_id: RowId, session: SessionDep,
                       _user: ReviewerDep) -> list[dict[str, Any]]:  # fmt: skip
    """Who may handle the complaint: console users other than the policy's seller."""
    complaint = _found(session.get(Complaint, complaint_id), "complaint", complaint_id)
    seller = complaint.policy.salesperson if complaint.policy else None
    return [{"id": u.id, "username": u.username} for u in eligible_handlers(session, seller)]


@router.get("/service", responses={401: {}, 403: {}})
def list_service(session: SessionDep, user: ReviewerDep,
                 open_only: bool = True) -> list[ServiceOut]:  # fmt: skip
    """Requests handed to policy service, oldest first."""
    query = select(ServiceRequest).order_by(ServiceRequest.received_at).limit(_LIMIT)
    if open_only:
        query = query.where(ServiceRequest.status.not_in(
            [ServiceStatus.COMPLETED, ServiceStatus.WITHDRAWN]))  # fmt: skip
    return [_service_out(r, user) for r in session.scalars(query)]


@router.post("/service/{request_id}", responses=_REFUSED)
def step_service(request_id: RowId, body: ServiceStep, session: SessionDep,
                 user: ReviewerCsrfDep, rules: RulesDep) -> ServiceOut:  # fmt: skip
    """Ask for material (once), note its arrival, accept, complete or record a withdrawal."""
    request = _found(session.get(ServiceRequest, request_id), "service request", request_id)
    who = actor(user)
    steps = {
        "material": lambda: policy_service.request_material(session, request, body.note, who,
                                                            rules),
        "material_received": lambda: policy_service.material_received(session, request,
                                                                      body.note, who, rules),
        "accept": lambda: policy_service.accept(session, request, body.note, who),
        "complete": lambda: policy_service.close(session, request, ServiceStatus.COMPLETED,
                                                 body.note, who),
        "withdraw": lambda: policy_service.close(session, request, ServiceStatus.WITHDRAWN,
                                                 body.note, who),
    }  # fmt: skip
    _refusing(steps[body.action])
    return _service_out(request, user)


@router.get("/promises", responses={401: {}, 403: {}})
def list_promises(session: SessionDep, user: ReviewerDep,
                  open_only: bool = True) -> list[PromiseOut]:  # fmt: skip
    """The robot's promises, soonest due first."""
    query = select(CustomerPromise).order_by(CustomerPromise.due_at).limit(_LIMIT)
    if open_only:
        query = query.where(CustomerPromise.status == PromiseStatus.OPEN)
    now = datetime.now(UTC)
    return [_promise_out(p, now, user) for p in session.scalars(query)]


@router.post("/promises/{promise_id}/keep", responses=_REFUSED)
def keep(promise_id: RowId, body: Note, session: SessionDep,
         user: ReviewerCsrfDep) -> PromiseOut:  # fmt: skip
    """Mark a promise kept, saying how."""
    task = _found(session.get(CustomerPromise, promise_id), "promise", promise_id)
    _refusing(lambda: keep_promise(session, task, body.note, actor(user)))
    return _promise_out(task, datetime.now(UTC), user)


# -- views ---------------------------------------------------------------------------------


def _text(text: str, user: SignedInUser) -> str:
    return text if sees_personal_data(user.role) else mask_personal_numbers(text)


def _complaint_out(session: Session, complaint: Complaint, rules: DeadlineRules,
                   now: datetime, user: SignedInUser) -> ComplaintOut:  # fmt: skip
    policy = complaint.policy
    handler = session.get(User, complaint.handler_id) if complaint.handler_id else None
    return ComplaintOut(
        id=complaint.id, policy_no=policy.policy_no if policy else None,
        salesperson=policy.salesperson if policy else None, channel=complaint.channel.value,
        kind=complaint.kind.value,
        category=complaint.category.value if complaint.category else None,
        summary=_text(complaint.summary, user), stage=complaint.stage.value,
        handler=handler.username if handler else None, received_at=complaint.received_at,
        handle_due=complaint.handle_due, feedback_due=complaint.feedback_due,
        outcome=_text(complaint.outcome, user),
        reminded=[m for m in complaint.reminded.split(",") if m],
        escalated=[m for m in complaint.escalated.split(",") if m],
        clocks=[ClockOut(name=c.name.value, due=c.due, done_at=c.done_at, state=c.state.value)
                for c in workflow.clocks(complaint, rules, now)],
        steps=[{"stage": s.stage.value, "note": _text(s.note, user), "by": s.by, "at": s.at}
               for s in complaint.steps],
    )  # fmt: skip


def _service_out(request: ServiceRequest, user: SignedInUser) -> ServiceOut:
    return ServiceOut(
        id=request.id, policy_no=request.policy.policy_no, kind=request.kind,
        in_cooling_off=request.in_cooling_off, text=_text(request.text, user),
        status=request.status.value, received_at=request.received_at,
        accept_due=request.accept_due, material_due=request.material_due,
        material_requested=request.material_requested_at is not None,
        overdue=request.overdue_at is not None, note=_text(request.note, user),
    )  # fmt: skip


def _promise_out(task: CustomerPromise, now: datetime, user: SignedInUser) -> PromiseOut:
    return PromiseOut(
        id=task.id, policy_no=task.policy.policy_no if task.policy else None,
        call_id=task.call_id, promise=task.promise, made_at=task.made_at, due_at=task.due_at,
        status=task.status.value, overdue=task.status is PromiseStatus.OPEN and task.due_at < now,
        kept_by=task.kept_by, note=_text(task.note, user),
    )  # fmt: skip


def _policy(session: Session, policy_no: str) -> Policy:
    policy = Repository(session).policy(policy_no)
    if policy is None:
        raise HTTPException(404, f"no policy {policy_no.strip()!r}")
    return policy


def _found(row: _Row | None, what: str, row_id: int) -> _Row:
    if row is None:
        raise HTTPException(404, f"no {what} {row_id}")
    return row


def _refusing(action: Callable[[], _Row]) -> _Row:
    """Run a storage action; its refusal becomes a 409 with the reason."""
    try:
        return action()
    except ReviewError as err:
        raise HTTPException(409, str(err)) from err
