"""When the campaign may dial: daily window, days of the week, holidays, time zone.

The holidays and 调休 working days come from the calendar kept as data for the whole of
huifang (storage/working_days.py, storage/data/holidays_cn.tsv).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


class CalendarError(ValueError):
    """A holiday file or window that cannot be used; the message names file and entry."""


@dataclass(frozen=True)
class CallingCalendar:
    """Local calling hours: [start, end) on `days` (ISO 1=Mon … 7=Sun), never on holidays."""

    start: time
    end: time
    days: frozenset[int]
    zone: ZoneInfo
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()  # 调休: weekend days that count as working days

    def __post_init__(self) -> None:
        if self.start >= self.end:
            raise CalendarError(f"calling window {self.start}-{self.end} is empty")
        if not self.days or not self.days <= set(range(1, 8)):
            raise CalendarError(f"calling days {sorted(self.days)}: use ISO weekdays 1-7")

    def is_calling_day(self, day: date) -> bool:
        """Whether the centre dials at all on this local date."""
        if day in self.holidays:
            return False
        return day.isoweekday() in self.days or day in self.workdays

    def local(self, moment: datetime) -> datetime:
        """The moment in the centre's time zone."""
        return moment.astimezone(self.zone)

    def opening(self, day: date) -> datetime:
        """The window's start on a local date, as an aware datetime."""
        return datetime.combine(day, self.start, self.zone)

    def closing(self, day: date) -> datetime:
        """The window's end on a local date, as an aware datetime."""
        return datetime.combine(day, self.end, self.zone)

    def next_open(self, moment: datetime, horizon_days: int = 400) -> datetime | None:
        """The first instant at or after `moment` inside a calling window; None past the horizon."""
        local = self.local(moment)
        day = local.date()
        for _ in range(horizon_days):
            if self.is_calling_day(day):
                if local < self.opening(day):
                    return self.opening(day)
                if local < self.closing(day):
                    return local
            day += timedelta(days=1)
            local = self.opening(day)
        return None


def parse_clock(text: str, what: str) -> time:
    """`09:00` as a time; CalendarError naming the setting otherwise."""
    try:
        return time.fromisoformat(text.strip())
    except ValueError as err:
        raise CalendarError(f"{what}: {text!r} is not a time of day like 09:00") from err
