"""The special-attention list (特别关注) in the review console: reviewers read it, supervisors
and admins report, observe and revoke entries; every change goes into the audit trail."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, status
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from huifang.web.attention_views import AttentionDetail, AttentionLine, detail_out, lines_out
from huifang.web.deps import SessionDep, SettingsDep, csrf_checked_user
from huifang.web.review_access import ReviewerDep, actor, oversees_reviews
from huifang.web.roles import sees_personal_data
from huifang.web.sign_ins import SignedInUser
from storage.attention import (
    AttentionError,
    Listing,
    RevocationBasis,
    entries,
    entry,
    observe_entry,
    rectify_entry,
    report_entry,
    revoke_entry,
)
from storage.attention_audit import (
    OBSERVE,
    RECTIFY,
    REPORT,
    REVOKE,
    record_attention_change,
    snapshot,
)
from storage.attention_models import (
    AttentionEntry,
    AttentionGround,
    AttentionSeverity,
    AttentionStatus,
    AttentionSubject,
)
from storage.models import User

EntryId = Annotated[int, Path(ge=1, le=2**31 - 1)]
# One line of plain text: no control characters (a NUL would reach the database).
_LINE = r"^[^\x00-\x1f\x7f]+$"
# Free text may span lines, but never carries a NUL.
_TEXT = r"^[^\x00]+$"
EffectiveDay = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2099, 12, 31))]
# The storage refusals as HTTP: unknown entry 404, a clash with the list's state 409,
# anything else is a bad request the operator can correct.
_STATUS_OF = {"not_found": 404, "illegal_transition": 409, "already_listed": 409,
              "too_early": 409, "violations": 409}
_REFUSED: dict[int | str, dict[str, Any]] = {400: {}, 401: {}, 403: {}, 404: {}, 409: {}}

router = APIRouter(prefix="/api/review/attention", tags=["special-attention list"])


class Report(BaseModel):
    """Put a salesperson, team or branch on the list."""

    subject: AttentionSubject
    name: str = Field(min_length=1, max_length=100, pattern=_LINE)
    within_branch: str = Field(
        "", max_length=50, pattern=r"^[^\x00-\x1f\x7f]*$",
        description="the branch of a salesperson or team whose name recurs elsewhere",
    )  # fmt: skip
    reason: str = Field(min_length=1, max_length=2000, pattern=_TEXT)
    effective_on: EffectiveDay | None = Field(None, description="default: today")
    ground: AttentionGround
    severity: AttentionSeverity
    dedicated_agent_id: int | None = Field(None, ge=1, le=2**31 - 1)
    restricted_products: str = Field("", max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")


class Move(BaseModel):
    """Move an entry on (to 整改, observation, or off the list), with why and from which day."""

    reason: str = Field(min_length=1, max_length=2000, pattern=_TEXT)
    effective_on: EffectiveDay | None = Field(None, description="default: today")


class Revocation(Move):
    """Take an entry off the list: after a verification, or a clean monitoring period."""

    basis: RevocationBasis


def _changer(user: Annotated[SignedInUser, Depends(csrf_checked_user)]) -> SignedInUser:
    """A supervisor or admin whose request carries their CSRF token."""
    if not oversees_reviews(user.role):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "the special-attention list is changed by supervisors"
        )
    return user


ChangerDep = Annotated[SignedInUser, Depends(_changer)]


@router.get("", responses={401: {}, 403: {}})
def list_entries(
    session: SessionDep,
    user: ReviewerDep,
    status_: Annotated[AttentionStatus | None, Query(alias="status")] = None,
) -> list[AttentionLine]:
    """The entries, oldest first, optionally in one status, with their flagged-policy counts."""
    masked = not sees_personal_data(user.role)
    return lines_out(session, entries(session, status_), masked=masked)


@router.get("/{entry_id}", responses={401: {}, 403: {}, 404: {}})
def read_entry(entry_id: EntryId, session: SessionDep, user: ReviewerDep) -> AttentionDetail:
    """One entry with its history and the policies flagged for it."""
    return detail_out(session, _entry(session, entry_id), masked=not sees_personal_data(user.role))


@router.post("", status_code=status.HTTP_201_CREATED, responses=_REFUSED)
def report(body: Report, session: SessionDep, user: ChangerDep) -> AttentionDetail:
    """Report the subject (status reported); policies still in their 犹豫期 are flagged."""
    agent = session.get(User, body.dedicated_agent_id) if body.dedicated_agent_id else None
    listing = Listing(body.ground, body.severity, agent, body.restricted_products)
    try:
        added = report_entry(
            session, body.subject, body.name, body.reason, listing=listing, by=user.username,
            on=body.effective_on, within_branch=body.within_branch,
        )  # fmt: skip
    except AttentionError as err:
        raise _refusal(err) from err
    return _audited(session, user, REPORT, None, added)


@router.post("/{entry_id}/rectify", responses=_REFUSED)
def rectify(
    entry_id: EntryId, body: Move, session: SessionDep, user: ChangerDep
) -> AttentionDetail:
    """Move a reported entry, or one that relapsed under observation, to 整改."""
    before = snapshot(_entry(session, entry_id))
    try:
        moved = rectify_entry(session, entry_id, body.reason, by=user.username,
                              on=body.effective_on)  # fmt: skip
    except AttentionError as err:
        raise _refusal(err) from err
    return _audited(session, user, RECTIFY, before, moved)


@router.post("/{entry_id}/observe", responses=_REFUSED)
def observe(
    entry_id: EntryId, body: Move, session: SessionDep, user: ChangerDep
) -> AttentionDetail:
    """Move a rectified entry to observation (观察中)."""
    before = snapshot(_entry(session, entry_id))
    try:
        moved = observe_entry(session, entry_id, body.reason, by=user.username,
                              on=body.effective_on)  # fmt: skip
    except AttentionError as err:
        raise _refusal(err) from err
    return _audited(session, user, OBSERVE, before, moved)


@router.post("/{entry_id}/revoke", responses=_REFUSED)
def revoke(entry_id: EntryId, body: Revocation, session: SessionDep, user: ChangerDep,
           settings: SettingsDep) -> AttentionDetail:  # fmt: skip
    """Take the entry off the list (已撤销) after a verification or a clean monitoring period;
    the flags already raised stay."""
    before = snapshot(_entry(session, entry_id))
    try:
        moved = revoke_entry(session, entry_id, body.reason, basis=body.basis, by=user.username,
                             on=body.effective_on,
                             monitoring_days=settings.attention_monitoring_days)  # fmt: skip
    except AttentionError as err:
        raise _refusal(err) from err
    return _audited(session, user, REVOKE, before, moved)


def _audited(
    session: Session,
    user: SignedInUser,
    action: str,
    before: dict[str, Any] | None,
    changed: AttentionEntry,
) -> AttentionDetail:
    """Write the change to the audit trail (same transaction); the entry as the API shows it."""
    record_attention_change(session, actor(user), action, before, changed)
    return detail_out(session, changed, masked=not sees_personal_data(user.role))


def _entry(session: Session, entry_id: int) -> AttentionEntry:
    try:
        return entry(session, entry_id)
    except AttentionError as err:
        raise _refusal(err) from err


def _refusal(err: AttentionError) -> HTTPException:
    """The storage refusal as an HTTP error with its message."""
    return HTTPException(_STATUS_OF.get(err.code, status.HTTP_400_BAD_REQUEST), str(err))
