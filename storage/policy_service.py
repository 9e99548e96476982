"""Requests handed to policy service (保全): a surrender (退保) asked for on a callback.

Policy service accepts a request within 2 working days; missing material is asked for once,
within 5 working days of the request, and the 2 days then run from the material's arrival.
A surrender asked within the 犹豫期 refunds the whole premium, so it says so.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.audit import SYSTEM, Actor, record_change
from storage.models import Policy
from storage.problem_cases import DeadlineRules, ReviewError
from storage.service_models import ServiceRequest, ServiceStatus

ACCEPT_WORKING_DAYS = 2
MATERIAL_WORKING_DAYS = 5
SURRENDER = "surrender"
ENTITY = "service_request"
_OPEN = (ServiceStatus.RECEIVED, ServiceStatus.MATERIAL_REQUESTED)


def request_surrender(session: Session, policy: Policy, text: str, received_at: datetime,
                      rules: DeadlineRules, *, call_id: int | None = None,
                      actor: Actor = SYSTEM) -> ServiceRequest:  # fmt: skip
    """Hand a surrender request to policy service with its deadlines."""
    day = rules.local_date(received_at)
    request = ServiceRequest(
        policy_id=policy.id, call_id=call_id, kind=SURRENDER, text=text.strip() or "退保",
        in_cooling_off=day <= policy.cooling_off_deadline, status=ServiceStatus.RECEIVED,
        received_at=received_at,
        accept_due=rules.calendar.add_working_days(day, ACCEPT_WORKING_DAYS),
        material_due=rules.calendar.add_working_days(day, MATERIAL_WORKING_DAYS),
        note="", handled_by="",
    )  # fmt: skip
    session.add(request)
    session.flush()
    record_change(session, actor, "service.receive", ENTITY, request.id, None,
                  service_fields(request), at=received_at)  # fmt: skip
    return request


def request_material(session: Session, request: ServiceRequest, note: str, actor: Actor,
                     rules: DeadlineRules, now: datetime | None = None) -> ServiceRequest:
    """Ask the customer for missing material: once only, and within 5 working days."""
    now = now or datetime.now(UTC)
    if request.material_requested_at is not None:
        raise ReviewError("material_asked", f"request {request.id}: missing material is asked "
                          "for once only, and it was already")  # fmt: skip
    if rules.local_date(now) > request.material_due:
        raise ReviewError("material_late", f"request {request.id}: missing material had to be "
                          f"asked for by {request.material_due}")  # fmt: skip
    return _move(session, request, ServiceStatus.MATERIAL_REQUESTED, note, actor, now,
                 "material_requested_at")  # fmt: skip


def material_received(session: Session, request: ServiceRequest, note: str, actor: Actor,
                      rules: DeadlineRules, now: datetime | None = None) -> ServiceRequest:
    """The material arrived: the 2 working days to accept run from today."""
    now = now or datetime.now(UTC)
    if request.status is not ServiceStatus.MATERIAL_REQUESTED:
        raise ReviewError("no_material_asked", f"request {request.id} awaits no material")
    request.accept_due = rules.calendar.add_working_days(rules.local_date(now),
                                                         ACCEPT_WORKING_DAYS)  # fmt: skip
    request.overdue_at = None
    return _move(session, request, ServiceStatus.RECEIVED, note, actor, now, None)


def accept(session: Session, request: ServiceRequest, note: str, actor: Actor,
           now: datetime | None = None) -> ServiceRequest:  # fmt: skip
    """受理: policy service takes the request on."""
    if request.status is not ServiceStatus.RECEIVED:
        raise ReviewError("not_acceptable", f"request {request.id} is {request.status.value}")
    return _move(session, request, ServiceStatus.ACCEPTED, note, actor, now, "accepted_at")


def close(session: Session, request: ServiceRequest, status: ServiceStatus, note: str,
          actor: Actor, now: datetime | None = None) -> ServiceRequest:  # fmt: skip
    """Complete an accepted request, or record that the customer withdrew it."""
    if status not in (ServiceStatus.COMPLETED, ServiceStatus.WITHDRAWN):
        raise ReviewError("bad_status", "a request closes completed or withdrawn")
    if status is ServiceStatus.COMPLETED and request.status is not ServiceStatus.ACCEPTED:
        raise ReviewError("not_accepted", f"request {request.id} must be accepted first")
    return _move(session, request, status, note, actor, now, "closed_at")


def sweep_service(session: Session, rules: DeadlineRules,
                  now: datetime | None = None) -> list[int]:  # fmt: skip
    """Mark requests not accepted by their deadline as overdue, once; their ids."""
    now = now or datetime.now(UTC)
    today = rules.local_date(now)
    marked = []
    query = select(ServiceRequest).where(ServiceRequest.status.in_(_OPEN),
                                         ServiceRequest.overdue_at.is_(None))  # fmt: skip
    for request in session.scalars(query.order_by(ServiceRequest.id)):
        waiting = request.status is ServiceStatus.RECEIVED
        if waiting and today > request.accept_due:
            before = service_fields(request)
            request.overdue_at = now
            record_change(session, SYSTEM, "service.overdue", ENTITY, request.id, before,
                          service_fields(request), at=now)  # fmt: skip
            marked.append(request.id)
    return marked


def service_fields(request: ServiceRequest) -> dict[str, Any]:
    """The request as the audit trail keeps it."""
    return {name: getattr(request, name) for name in (
        "policy_id", "call_id", "kind", "in_cooling_off", "status", "received_at",
        "accept_due", "material_due", "material_requested_at", "accepted_at", "closed_at",
        "note", "handled_by", "overdue_at")}  # fmt: skip


def _move(session: Session, request: ServiceRequest, to: ServiceStatus, note: str,
          actor: Actor, now: datetime | None, column: str | None) -> ServiceRequest:
    now = now or datetime.now(UTC)
    text = note.strip()
    if not text:
        raise ReviewError("note_required", "say what was done")
    before = service_fields(request)
    request.status = to
    if column is not None:
        setattr(request, column, now)
    request.note = (request.note + "\n" if request.note else "") + f"{to.value}: {text}"
    request.handled_by = actor.name
    session.flush()
    record_change(session, actor, f"service.{to.value}", ENTITY, request.id, before,
                  service_fields(request), at=now)  # fmt: skip
    return request
