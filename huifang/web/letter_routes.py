"""Letters and visits in the console: the queue, a printable PDF letter per policy, sending,
visits assigned to people, results recorded (which close the policy's callback)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from huifang.documents.callback_letter import letter_pdf
from huifang.documents.pdf import DocumentError
from huifang.web.deps import SessionDep, SettingsDep
from huifang.web.review_access import ReviewerCsrfDep, ReviewerDep, actor
from storage import letters_visits as work
from storage.attention import on_attention_list
from storage.models import User
from storage.policy_view import policy_record
from storage.problem_cases import ReviewError
from storage.queue_models import LetterVisit, LetterVisitResult

router = APIRouter(prefix="/api/letters", tags=["letters and visits"])
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]
_REFUSED: dict[int | str, dict[str, Any]] = {401: {}, 403: {}, 404: {}, 409: {}}


class LetterOut(BaseModel):
    """One policy's letter or visit."""

    id: int
    policy_no: str
    holder_name: str
    salesperson: str
    deadline: date
    method: str
    status: str
    reason: str
    assignee: str | None
    visit_on: date | None
    printed: bool
    sent_at: datetime | None
    result: str | None
    result_note: str


class Visit(BaseModel):
    """Who visits, and when."""

    assignee_id: int = Field(ge=1, le=2**31 - 1)
    visit_on: date


class Result(BaseModel):
    """What the reply slip or the visit found."""

    result: LetterVisitResult
    note: str = Field(min_length=1, max_length=2000)


@router.get("", responses={401: {}, 403: {}})
def list_letters(session: SessionDep, _user: ReviewerDep, open_only: bool = True
                 ) -> list[LetterOut]:  # fmt: skip
    """The queue (filled from the campaign's letter-or-visit list), nearest deadline first."""
    work.fill_queue(session, datetime.now(UTC))
    return [_out(task) for task in work.queue(session, open_only=open_only)]


@router.get("/people", responses={401: {}, 403: {}})
def people(session: SessionDep, _user: ReviewerDep) -> list[dict[str, Any]]:
    """Who may be sent on a visit: active users."""
    query = select(User).where(User.active.is_(True)).order_by(User.username)
    return [{"id": u.id, "username": u.username} for u in session.scalars(query)]


@router.get("/{task_id}/letter.pdf", response_class=Response, responses=_REFUSED)
def print_letter(task_id: RowId, session: SessionDep, user: ReviewerDep,
                 settings: SettingsDep) -> Response:  # fmt: skip
    """The letter to print: the policy's callback questions and a reply slip."""
    task = _task(session, task_id)
    policy = task.policy
    record = policy_record(policy, special_attention=on_attention_list(
        session, policy, datetime.now(UTC).date()))  # fmt: skip
    try:
        body = letter_pdf(record, deadline=policy.cooling_off_deadline.isoformat(),
                          font=FilePath(settings.pdf_font))  # fmt: skip
    except DocumentError as err:
        raise HTTPException(500, str(err)) from err
    work.note_printed(session, task, actor(user), datetime.now(UTC))
    return Response(body, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="letter-{policy.policy_no}.pdf"',
        "Cache-Control": "private, no-store"})  # fmt: skip


@router.post("/{task_id}/send", responses=_REFUSED)
def send(task_id: RowId, session: SessionDep, user: ReviewerCsrfDep) -> LetterOut:
    """The letter went out."""
    task = _task(session, task_id)
    _refusing(lambda: work.mark_sent(session, task, actor(user)))
    return _out(task)


@router.post("/{task_id}/visit", responses=_REFUSED)
def visit(task_id: RowId, body: Visit, session: SessionDep, user: ReviewerCsrfDep) -> LetterOut:
    """Send someone to visit the policyholder on a day."""
    task = _task(session, task_id)
    person = session.get(User, body.assignee_id)
    if person is None:
        raise HTTPException(404, f"no user {body.assignee_id}")
    _refusing(lambda: work.assign_visit(session, task, person, body.visit_on, actor(user)))
    return _out(task)


@router.post("/{task_id}/result", responses=_REFUSED)
def result(task_id: RowId, body: Result, session: SessionDep, user: ReviewerCsrfDep) -> LetterOut:
    """Record the reply slip's or the visit's result; the policy's callback closes."""
    task = _task(session, task_id)
    _refusing(lambda: work.record_result(session, task, body.result, body.note, actor(user)))
    return _out(task)


def _task(session: Session, task_id: int) -> LetterVisit:
    found = session.get(LetterVisit, task_id)
    if found is None:
        raise HTTPException(404, f"no letter or visit {task_id}")
    return found


def _refusing(action: Any) -> None:
    try:
        action()
    except ReviewError as err:
        raise HTTPException(409, str(err)) from err


def _out(task: LetterVisit) -> LetterOut:
    policy = task.policy
    return LetterOut(
        id=task.id, policy_no=policy.policy_no, holder_name=policy.holder_name,
        salesperson=policy.salesperson, deadline=policy.cooling_off_deadline,
        method=task.method.value, status=task.status.value, reason=task.reason,
        assignee=task.assignee.username if task.assignee else None, visit_on=task.visit_on,
        printed=task.printed_at is not None, sent_at=task.sent_at,
        result=task.result.value if task.result else None, result_note=task.result_note,
    )  # fmt: skip
