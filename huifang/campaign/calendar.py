"""When the campaign may dial: daily window, days of the week, holidays (as data), time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

HOLIDAYS_CN = Path(__file__).with_name("holidays_cn.yaml")


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


def load_holidays(path: Path) -> tuple[frozenset[date], frozenset[date]]:
    """Holidays and 调休 working days from a YAML file (`holidays:` and `workdays:` lists)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise CalendarError(f"{path}: cannot read the holiday calendar: {err.strerror}") from err
    lines = text.splitlines()
    data = yaml.safe_load(text) or {}
    if not isinstance(data, dict):
        raise CalendarError(f"{path}: expected `holidays:` and `workdays:` lists")
    unknown = set(data) - {"holidays", "workdays"}
    if unknown:
        raise CalendarError(f"{path}: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    return (frozenset(_days(path, lines, data.get("holidays") or [])),
            frozenset(_days(path, lines, data.get("workdays") or [])))


def _days(path: Path, lines: list[str], entries: object) -> list[date]:
    """Dates and `A..B` ranges (inclusive) as a list of days."""
    if not isinstance(entries, list):
        raise CalendarError(f"{path}: expected a list of dates")
    days: list[date] = []
    for entry in entries:
        first, _, last = str(entry).partition("..")
        try:
            start = date.fromisoformat(first.strip())
            end = date.fromisoformat(last.strip()) if last else start
        except ValueError as err:
            raise CalendarError(f"{path}:{_line_of(lines, str(entry))}: {entry!r} is not "
                                "a date (2026-10-01) or range (2026-10-01..2026-10-07)") from err
        if end < start:
            raise CalendarError(f"{path}:{_line_of(lines, str(entry))}: range {entry} ends "
                                "before it starts")
        days.extend(start + timedelta(days=n) for n in range((end - start).days + 1))
    return days


def _line_of(lines: list[str], entry: str) -> int:
    """The 1-based line holding an entry (YAML loses line numbers for scalars)."""
    for number, line in enumerate(lines, start=1):
        if entry in line:
            return number
    return 0
