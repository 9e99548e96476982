"""Random QA samples in the review console: the sampled unflagged calls, each reviewer's
finding (clean, or a miss the rules should have caught), and the misses counted."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Path
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from huifang.web.attention_routes import ChangerDep
from huifang.web.deps import SessionDep, SettingsDep
from huifang.web.review_access import FilterDay, ReviewerCsrfDep, ReviewerDep, RulesDep, actor
from storage.problem_cases import ReviewError
from storage.qa_sampling import qa_counts, review_sample, sample_day, samples
from storage.queue_models import QaSample, QaVerdict

router = APIRouter(prefix="/api/review/qa", tags=["QA sampling"])
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]
_REFUSED: dict[int | str, dict[str, Any]] = {401: {}, 403: {}, 404: {}, 409: {}}


class SampleOut(BaseModel):
    """A sampled call waiting for (or given) a reviewer's finding."""

    id: int
    call_id: int
    sample_day: date
    started_at: datetime
    policy_no: str | None
    salesperson: str | None
    verdict: str | None
    miss_category: str
    note: str


class Finding(BaseModel):
    """Clean, or a miss with its category and what was missed."""

    verdict: QaVerdict
    miss_category: str = Field("", max_length=32)
    note: str = Field("", max_length=2000)


class CountsOut(BaseModel):
    """Sampling over a range of days."""

    date_from: date
    date_to: date
    sampled: int
    reviewed: int
    misses: int
    miss_rate: float | None


@router.get("/samples", responses={401: {}, 403: {}})
def list_samples(session: SessionDep, _user: ReviewerDep,
                 unreviewed: bool = True) -> list[SampleOut]:  # fmt: skip
    """The sampled calls, newest day first."""
    return [_out(s) for s in samples(session, unreviewed_only=unreviewed)]


@router.post("/samples/{sample_id}", responses=_REFUSED)
def review(sample_id: RowId, body: Finding, session: SessionDep,
           user: ReviewerCsrfDep) -> SampleOut:  # fmt: skip
    """Record the finding; a miss counts against the rules."""
    sample = session.get(QaSample, sample_id)
    if sample is None:
        raise HTTPException(404, f"no sample {sample_id}")
    try:
        review_sample(session, sample, body.verdict, body.note, actor(user),
                      miss_category=body.miss_category)  # fmt: skip
    except ReviewError as err:
        raise HTTPException(409, str(err)) from err
    return _out(sample)


@router.post("/sample", responses=_REFUSED)
def draw(session: SessionDep, _user: ChangerDep, settings: SettingsDep, rules: RulesDep,
         day: FilterDay = None) -> list[SampleOut]:  # fmt: skip
    """Draw a day's sample now (default yesterday) at HUIFANG_QA_SAMPLE_RATE."""
    zone = ZoneInfo(rules.timezone)
    wanted = day or rules.local_date(datetime.now(UTC)) - timedelta(days=1)
    drawn = sample_day(session, wanted, settings.qa_sample_rate, random.Random(), zone)
    return [_out(s) for s in drawn]


@router.get("/counts", responses={401: {}, 403: {}})
def counts(session: SessionDep, _user: ReviewerDep, rules: RulesDep,
           date_from: FilterDay = None, date_to: FilterDay = None) -> CountsOut:  # fmt: skip
    """How many were sampled, reviewed and reported as misses (default: every sample so far)."""
    last = date_to or rules.local_date(datetime.now(UTC))
    earliest = session.scalar(select(func.min(QaSample.sample_day)))
    first = date_from or min(earliest or last, last)
    found = qa_counts(session, first, last)
    rate = None if found.miss_rate is None else round(found.miss_rate, 2)
    return CountsOut(date_from=first, date_to=last, sampled=found.sampled,
                     reviewed=found.reviewed, misses=found.misses, miss_rate=rate)  # fmt: skip


def _out(sample: QaSample) -> SampleOut:
    call = sample.call
    policy = call.policy
    return SampleOut(
        id=sample.id, call_id=call.id, sample_day=sample.sample_day, started_at=call.started_at,
        policy_no=policy.policy_no if policy else None,
        salesperson=policy.salesperson if policy else None,
        verdict=sample.verdict.value if sample.verdict else None,
        miss_category=sample.miss_category, note=sample.note,
    )  # fmt: skip
