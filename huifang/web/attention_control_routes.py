"""The special-attention list's controls in the console: proposals from the evidence (run,
accepted into an entry, dismissed), a proposal from a KPI marked 不达标, the agents who may
take 专人回访, and the periodic report as XLSX, CSV or PDF."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, status
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from huifang.documents.attention_report import report_pdf, report_table
from huifang.documents.pdf import DocumentError
from huifang.settings import Settings
from huifang.web.attention_routes import ChangerDep
from huifang.web.deps import SessionDep, SettingsDep
from huifang.web.kpi_views import kpi_targets
from huifang.web.review_access import ReviewerDep, RulesDep, actor
from huifang.web.table_export import ExportFormat, export_response
from storage.attention import AttentionError, Listing, entries
from storage.attention_kinds import AttentionGround, AttentionSeverity, AttentionSubject
from storage.attention_proposals import (
    ProposalRules,
    accept_proposal,
    dismiss_proposal,
    pending_proposals,
    propose,
    propose_by_hand,
)
from storage.audit import record_change
from storage.models import User, UserRole
from storage.queue_models import AttentionProposal

router = APIRouter(prefix="/api/review/attention", tags=["special-attention list"])
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]
_REFUSED: dict[int | str, dict[str, Any]] = {400: {}, 401: {}, 403: {}, 404: {}, 409: {}}
_PDF = "application/pdf"


class ProposalOut(BaseModel):
    """A proposal waiting for a person."""

    id: int
    subject: str
    name: str
    within_branch: str
    ground: str
    evidence: str
    proposed_at: datetime


class HandProposal(BaseModel):
    """A proposal a person makes (the KPI page's 提议特别关注)."""

    subject: AttentionSubject
    name: str = Field(min_length=1, max_length=100)
    ground: AttentionGround
    evidence: str = Field(min_length=1, max_length=2000)


class Acceptance(BaseModel):
    """List the proposed subject: how severe, and who calls its policies if need be."""

    reason: str = Field(min_length=1, max_length=2000)
    severity: AttentionSeverity
    dedicated_agent_id: int | None = Field(None, ge=1, le=2**31 - 1)
    restricted_products: str = Field("", max_length=200)


class Dismissal(BaseModel):
    """Why a proposal is turned down."""

    reason: str = Field(min_length=1, max_length=2000)


def proposal_rules(settings: Settings) -> ProposalRules:
    """The proposal thresholds of the HUIFANG_ATTENTION_* settings."""
    return ProposalRules(window_days=settings.attention_window_days,
                         team_violations=settings.attention_team_violations,
                         seller_violations=settings.attention_seller_violations)  # fmt: skip


@router.get("/agents", responses={401: {}, 403: {}})
def list_agents(session: SessionDep, _user: ReviewerDep) -> list[dict[str, Any]]:
    """The active callback agents a 专人回访 listing may name."""
    query = select(User).where(User.role == UserRole.AGENT, User.active.is_(True))
    return [{"id": u.id, "username": u.username}
            for u in session.scalars(query.order_by(User.username))]  # fmt: skip


@router.get("/proposals", responses={401: {}, 403: {}})
def list_proposals(session: SessionDep, _user: ReviewerDep) -> list[ProposalOut]:
    """Proposals waiting for a person, oldest first."""
    return [_out(p) for p in pending_proposals(session)]


@router.post("/proposals/run", responses=_REFUSED)
def run_proposals(session: SessionDep, _user: ChangerDep, rules: RulesDep,
                  settings: SettingsDep) -> list[ProposalOut]:  # fmt: skip
    """Look at the evidence now; the new proposals (the daily job does the same)."""
    made = propose(session, proposal_rules(settings), rules, kpi_targets(settings))
    return [_out(p) for p in made]


@router.post("/proposals", status_code=status.HTTP_201_CREATED, responses=_REFUSED)
def make_proposal(body: HandProposal, session: SessionDep, user: ChangerDep) -> ProposalOut:
    """Propose a subject by hand, e.g. a team whose KPI is marked 不达标."""
    try:
        return _out(propose_by_hand(session, body.subject, body.name, body.ground,
                                    body.evidence, actor(user)))  # fmt: skip
    except AttentionError as err:
        raise HTTPException(409, str(err)) from err


@router.post("/proposals/{proposal_id}/accept", responses=_REFUSED)
def accept(proposal_id: RowId, body: Acceptance, session: SessionDep,
           user: ChangerDep) -> dict[str, int]:  # fmt: skip
    """Report the proposed subject on the list; the new entry's id."""
    proposal = _proposal(session, proposal_id)
    agent = session.get(User, body.dedicated_agent_id) if body.dedicated_agent_id else None
    listing = Listing(proposal.ground, body.severity, agent, body.restricted_products)
    try:
        entry = accept_proposal(session, proposal, listing, body.reason, by=user.username)
    except AttentionError as err:
        raise HTTPException(409 if err.code in ("already_listed", "illegal_transition") else 400,
                            str(err)) from err
    return {"entry_id": entry.id}


@router.post("/proposals/{proposal_id}/dismiss", responses=_REFUSED)
def dismiss(proposal_id: RowId, body: Dismissal, session: SessionDep,
            user: ChangerDep) -> dict[str, str]:  # fmt: skip
    """Turn a proposal down."""
    try:
        dismiss_proposal(session, _proposal(session, proposal_id), body.reason,
                         by=user.username)  # fmt: skip
    except AttentionError as err:
        raise HTTPException(409, str(err)) from err
    return {"status": "dismissed"}


@router.get("/report", response_class=Response, responses={401: {}, 403: {}, 500: {}})
def read_report(session: SessionDep, user: ReviewerDep, settings: SettingsDep,
                report_format: Annotated[str, Query(alias="format",
                                                    pattern="^(csv|xlsx|pdf)$")] = "xlsx",
                ) -> Response:  # fmt: skip
    """The list with each entry's history: XLSX/CSV (a line per step) or the written PDF."""
    found = entries(session)
    today = datetime.now(UTC).date()
    name = f"attention-report-{today.isoformat()}"
    if report_format != "pdf":
        return export_response(report_table(found), ExportFormat(report_format), name,
                               session=session, reader=user, filters={})  # fmt: skip
    try:
        body = report_pdf(found, reported_by=user.username, on=today, font=_font(settings))
    except DocumentError as err:
        raise HTTPException(500, str(err)) from err
    record_change(session, actor(user), "export", "export", 0, None,
                  {"file": f"{name}.pdf", "title": "特别关注名单报告", "rows": len(found)})
    return Response(body, media_type=_PDF, headers={
        "Content-Disposition": f'attachment; filename="{name}.pdf"',
        "Cache-Control": "private, no-store"})  # fmt: skip


def _font(settings: Settings) -> FilePath:
    return FilePath(settings.pdf_font)


def _proposal(session: Session, proposal_id: int) -> AttentionProposal:
    found = session.get(AttentionProposal, proposal_id)
    if found is None:
        raise HTTPException(404, f"no proposal {proposal_id}")
    return found


def _out(proposal: AttentionProposal) -> ProposalOut:
    return ProposalOut(
        id=proposal.id, subject=proposal.subject_kind.value, name=proposal.subject_name,
        within_branch=proposal.within_branch, ground=proposal.ground.value,
        evidence=proposal.evidence, proposed_at=proposal.proposed_at,
    )  # fmt: skip

