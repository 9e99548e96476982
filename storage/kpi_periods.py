"""The periods KPIs are bucketed by: days, ISO weeks (Monday first) and calendar months."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

# More buckets than this in one report is a mistake (a century of days), not a question.
MAX_BUCKETS = 400


class Period(StrEnum):
    """How long one KPI bucket is."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"


class PeriodRangeError(ValueError):
    """A report range that is reversed, has too many buckets or lies outside the calendar."""


# The days reports cover (as the web filters): date arithmetic near year 1 or 9999 overflows.
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2099, 12, 31)


def _check_day(day: date) -> None:
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise PeriodRangeError(f"{day} is outside the calendar ({EARLIEST_DAY} to {LATEST_DAY})")


@dataclass(frozen=True)
class Bucket:
    """One period: its first and last day (inclusive) and how people name it."""

    start: date
    end: date
    label: str


def period_start(day: date, period: Period) -> date:
    """The first day of the period the day falls in."""
    if period is Period.DAY:
        return day
    if period is Period.WEEK:
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def next_start(start: date, period: Period) -> date:
    """The first day of the period after the one starting at start."""
    if period is Period.DAY:
        return start + timedelta(days=1)
    if period is Period.WEEK:
        return start + timedelta(days=7)
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


def previous_start(start: date, period: Period) -> date:
    """The first day of the period before the one starting at start."""
    return period_start(start - timedelta(days=1), period)


def bucket_at(start: date, period: Period) -> Bucket:
    """The bucket starting at start (a period's first day)."""
    end = next_start(start, period) - timedelta(days=1)
    if period is Period.DAY:
        label = start.isoformat()
    elif period is Period.WEEK:
        year, week, _ = start.isocalendar()
        label = f"{year}-W{week:02d}"
    else:
        label = f"{start.year}-{start.month:02d}"
    return Bucket(start, end, label)


def buckets_between(first: date, last: date, period: Period) -> list[Bucket]:
    """The periods covering first..last, whole periods (the first and last widened)."""
    _check_day(first)
    _check_day(last)
    if last < first:
        raise PeriodRangeError(f"the range ends ({last}) before it starts ({first})")
    found: list[Bucket] = []
    start = period_start(first, period)
    while start <= last:
        if len(found) == MAX_BUCKETS:
            raise PeriodRangeError(
                f"{first}..{last} holds more than {MAX_BUCKETS} {period.value} periods: "
                "choose a longer period or a shorter range"
            )
        found.append(bucket_at(start, period))
        start = next_start(start, period)
    return found


def default_range(today: date, period: Period, count: int = 8) -> tuple[date, date]:
    """The last `count` periods up to and including today's."""
    _check_day(today)
    start = period_start(today, period)
    for _ in range(count - 1):
        start = previous_start(start, period)
    return start, today
