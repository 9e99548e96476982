"""Phone cues (号码线索) in the review console: the policies flagged on import, filtered, and
their 集中 per salesperson and outlet (several of one seller's policies on numbers in one
range, or changed soon after purchase)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from agent_assist.events import Severity
from agent_assist.phone_cues import PhoneCueKind
from huifang.web.deps import SessionDep
from huifang.web.review_access import FilterText, Limit, Offset, ReviewerDep
from storage.attention_models import PolicyFlag
from storage.phone_cue_flags import PhoneCueFilter, concentration, phone_cue_flags

router = APIRouter(prefix="/api/review/phone-cues", tags=["review"])


class PhoneCueOut(BaseModel):
    """One policy's phone cue, with the other policies it links (numbers masked in `reason`)."""

    id: int
    policy_no: str
    salesperson: str
    team: str
    outlet: str
    branch: str
    cue: str
    severity: str
    reason: str
    linked_policies: list[str]
    raised_at: datetime


class ConcentrationOut(BaseModel):
    """One salesperson's or outlet's flagged policies, per cue kind."""

    name: str
    branch: str
    policies: int
    cues: dict[str, int]


CueFilter = Annotated[PhoneCueKind | None, Query(description="the kind of cue")]
SeverityFilter = Annotated[Severity | None, Query(description="this severity only")]


@router.get("", responses={401: {}, 403: {}})
def list_phone_cues(session: SessionDep, _user: ReviewerDep, cue: CueFilter = None,
                    severity: SeverityFilter = None, salesperson: FilterText = None,
                    outlet: FilterText = None, branch: FilterText = None, limit: Limit = 100,
                    offset: Offset = 0) -> list[PhoneCueOut]:
    """Policies carrying a phone cue, most severe and newest first."""
    wanted = _filter(cue, severity, salesperson, outlet, branch)
    return [_out(flag) for flag in phone_cue_flags(session, wanted, limit=limit, offset=offset)]


@router.get("/concentration", responses={401: {}, 403: {}})
def phone_cue_concentration(
    session: SessionDep, _user: ReviewerDep,
    by: Annotated[Literal["salesperson", "outlet"], Query()] = "salesperson",
    cue: CueFilter = None, severity: SeverityFilter = None, branch: FilterText = None,
) -> list[ConcentrationOut]:
    """Flagged policies per salesperson (or outlet), the most concentrated first."""
    wanted = _filter(cue, severity, None, None, branch)
    return [ConcentrationOut(name=row.name, branch=row.branch, policies=row.policies,
                             cues=row.cues) for row in concentration(session, by, wanted)]


def _filter(cue: PhoneCueKind | None, severity: Severity | None, salesperson: str | None,
            outlet: str | None, branch: str | None) -> PhoneCueFilter:
    return PhoneCueFilter(cue=cue.value if cue else None,
                          severity=severity.value if severity else None,
                          salesperson=salesperson, outlet=outlet, branch=branch)


def _out(flag: PolicyFlag) -> PhoneCueOut:
    policy = flag.policy
    return PhoneCueOut(
        id=flag.id, policy_no=policy.policy_no, salesperson=policy.salesperson,
        team=policy.team, outlet=policy.outlet, branch=policy.branch, cue=flag.cue or "",
        severity=flag.severity or "", reason=flag.reason,
        linked_policies=[link.policy_no for link in flag.links], raised_at=flag.raised_at,
    )
