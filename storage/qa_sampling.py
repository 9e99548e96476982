"""Random QA sampling (质检抽检): a share of each day's answered calls that raised no flag goes
into the review queue, so reviewers find what the rules miss; each miss they report is counted."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from storage.analysis_models import CallFlag
from storage.audit import SYSTEM, Actor, record_change
from storage.models import CallRecord
from storage.problem_cases import ReviewError
from storage.queue_models import QaSample, QaVerdict

ENTITY = "qa_sample"
_ANSWERED = ("completed", "peer_hung_up", "transferred", "media_timeout")


@dataclass(frozen=True)
class QaCounts:
    """A period's sampling: drawn, reviewed, misses reported, and the miss rate."""

    sampled: int
    reviewed: int
    misses: int

    @property
    def miss_rate(self) -> float | None:
        """Misses per reviewed sample (percent), None before any review."""
        return None if self.reviewed == 0 else 100 * self.misses / self.reviewed


def sample_day(session: Session, day: date, rate: float, rng: random.Random, zone: ZoneInfo,
               now: datetime | None = None) -> list[QaSample]:  # fmt: skip
    """Draw ceil(rate × N) of the day's N answered, unflagged, unsampled calls; idempotent per
    day (a second run draws only from calls that came in since)."""
    if not 0 < rate <= 1:
        raise ReviewError("bad_rate", f"a sampling rate is a share in (0, 1], not {rate}")
    start = datetime.combine(day, time(), zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), zone).astimezone(UTC)
    already = session.scalar(select(func.count(QaSample.id)).where(QaSample.sample_day == day))
    query = (
        select(CallRecord.id)
        .where(CallRecord.started_at >= start, CallRecord.started_at < end,
               or_(CallRecord.outcome.in_(_ANSWERED), CallRecord.dialogue_outcome.is_not(None)),
               ~exists().where(CallFlag.call_id == CallRecord.id),
               ~exists().where(QaSample.call_id == CallRecord.id))
        .order_by(CallRecord.id)
    )  # fmt: skip
    pool = list(session.scalars(query))
    wanted = math.ceil(rate * (len(pool) + (already or 0))) - (already or 0)
    chosen = sorted(rng.sample(pool, max(0, min(wanted, len(pool)))))
    now = now or datetime.now(UTC)
    samples = [QaSample(call_id=call_id, sample_day=day, rate=rate, sampled_at=now,
                        miss_category="", note="") for call_id in chosen]  # fmt: skip
    session.add_all(samples)
    session.flush()
    for sample in samples:
        record_change(session, SYSTEM, "qa.sample", ENTITY, sample.id, None,
                      {"call_id": sample.call_id, "day": day, "rate": rate}, at=now)
    return samples


def review_sample(session: Session, sample: QaSample, verdict: QaVerdict, note: str,
                  actor: Actor, *, miss_category: str = "",
                  now: datetime | None = None) -> QaSample:  # fmt: skip
    """A reviewer's finding: clean, or a miss (what the rules should have flagged)."""
    if verdict is QaVerdict.MISS and not (miss_category.strip() and note.strip()):
        raise ReviewError("miss_needs_detail", "a miss names its category and what was missed")
    if actor.user_id is None:
        raise ReviewError("no_user", "a sample is reviewed by a signed-in user")
    now = now or datetime.now(UTC)
    before = {"verdict": sample.verdict, "note": sample.note}
    sample.verdict, sample.note = verdict, note.strip()
    sample.miss_category = miss_category.strip()[:32]
    sample.reviewed_by, sample.reviewed_at = actor.user_id, now
    session.flush()
    record_change(session, actor, "qa.review", ENTITY, sample.id, before,
                  {"verdict": verdict, "note": sample.note, "category": sample.miss_category},
                  at=now)  # fmt: skip
    return sample


def samples(session: Session, *, unreviewed_only: bool = True) -> list[QaSample]:
    """The sampled calls, newest day first."""
    query = select(QaSample)
    if unreviewed_only:
        query = query.where(QaSample.verdict.is_(None))
    return list(session.scalars(query.order_by(QaSample.sample_day.desc(), QaSample.id)))


def qa_counts(session: Session, first: date, last: date) -> QaCounts:
    """Sampled, reviewed and missed over the days first..last."""
    query = select(QaSample.verdict, func.count()).where(
        QaSample.sample_day >= first, QaSample.sample_day <= last).group_by(QaSample.verdict)
    by_verdict: dict[QaVerdict | None, int] = {
        verdict: count for verdict, count in session.execute(query)}
    reviewed = sum(n for verdict, n in by_verdict.items() if verdict is not None)
    return QaCounts(sum(by_verdict.values()), reviewed, by_verdict.get(QaVerdict.MISS, 0))
