"""The pre-callback campaign in the console: what `huifang campaign status` prints, plus the
lists a supervisor acts on (deadlines at risk, letter or visit, customers who want an agent).
Reviewers, supervisors and admins read it; agents are refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, status
from pydantic import BaseModel

from huifang.web.deps import SessionDep, current_user
from huifang.web.kpi_routes import reads_kpis
from huifang.web.roles import sees_personal_data
from huifang.web.sign_ins import SignedInUser
from storage.campaign_models import CampaignPolicy
from storage.campaigns import CampaignStore, policy_line
from storage.masking import mask_phone

router = APIRouter(prefix="/api/campaign", tags=["campaign"])
_REFUSED: dict[int | str, dict[str, Any]] = {401: {}, 403: {}, 422: {}}


class CampaignPolicyOut(BaseModel):
    """One policy of a status list."""

    policy_no: str
    holder_name: str
    phone: str  # masked for roles without the right to see it
    branch: str
    product: str
    deadline: str
    state: str
    attempts: int
    reason: str | None
    days_left: int


class CampaignStatusOut(BaseModel):
    """The campaign at a glance, as `huifang campaign status --json`, with the lists."""

    policies: dict[str, int]
    final_outcomes: dict[str, int]
    attempts: dict[str, int]
    attempts_running: int
    at_risk_days: int
    at_risk: list[CampaignPolicyOut]
    letter_or_visit: list[CampaignPolicyOut]
    wants_human: list[CampaignPolicyOut]


def _reader(user: Annotated[SignedInUser, Depends(current_user)]) -> SignedInUser:
    if not reads_kpis(user.role):
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            "the campaign is for reviewers and managers")
    return user


ReaderDep = Annotated[SignedInUser, Depends(_reader)]


@router.get("", response_model=CampaignStatusOut, responses=_REFUSED)
def campaign_status(
    user: ReaderDep, session: SessionDep,
    days: Annotated[int, Query(ge=0, le=60, description="at risk: 犹豫期 ends within")] = 3,
) -> CampaignStatusOut:
    """Counts per state and outcome, deadlines at risk, letter or visit, wanting an agent."""
    store = CampaignStore(session)
    counts = store.counts()
    today = datetime.now(UTC).date()
    masked = not sees_personal_data(user.role)

    def lines(entries: list[CampaignPolicy]) -> list[CampaignPolicyOut]:
        return [_line(entry, today.toordinal(), masked) for entry in entries]

    return CampaignStatusOut(
        policies=counts.states, final_outcomes=counts.final_outcomes,
        attempts=counts.attempt_outcomes, attempts_running=counts.attempts_running,
        at_risk_days=days, at_risk=lines(store.at_risk(today + timedelta(days=days))),
        letter_or_visit=lines(store.handed_over()), wants_human=lines(store.wanting_a_human()))


def _line(entry: CampaignPolicy, today: int, masked: bool) -> CampaignPolicyOut:
    policy = entry.policy
    return CampaignPolicyOut(
        **policy_line(entry), holder_name=policy.holder_name,
        phone=mask_phone(policy.phone) if masked else policy.phone, branch=policy.branch,
        product=policy.product_name, days_left=policy.cooling_off_deadline.toordinal() - today)
