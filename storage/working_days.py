"""Working days (工作日) under a holiday calendar kept as data: public holidays and the
weekend days worked instead (调休上班), so a problem case's 15-working-day deadline is right."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

BUNDLED_CALENDAR = Path(__file__).with_name("data") / "holidays_cn.tsv"
_DAY_OFF, _WORKDAY = "休", "班"


class CalendarFileError(ValueError):
    """A holiday calendar line that cannot be read; the message names file:line."""


@dataclass(frozen=True)
class WorkingCalendar:
    """Monday to Friday are working days, except listed holidays; listed make-up days are too."""

    holidays: frozenset[date] = frozenset()
    make_up_days: frozenset[date] = frozenset()

    def is_working_day(self, day: date) -> bool:
        """Whether people work on this day."""
        if day in self.make_up_days:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add_working_days(self, start: date, count: int) -> date:
        """The count-th working day after start (start itself not counted)."""
        if count < 0:
            raise ValueError(f"count of working days must not be negative: {count}")
        day = start
        while count > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count -= 1
        return day

    def working_days_until(self, today: date, deadline: date) -> int:
        """Working days after today up to and including deadline; negative once past it."""
        if deadline >= today:
            return self._count(today, deadline)
        return -self._count(deadline, today)

    def _count(self, after: date, until: date) -> int:
        days = (until - after).days
        return sum(self.is_working_day(after + timedelta(days=n)) for n in range(1, days + 1))


def load_calendar(path: Path | None = None) -> WorkingCalendar:
    """The calendar in a TSV file (date, 休 or 班, name; # comments); the bundled one by default."""
    path = path or BUNDLED_CALENDAR
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise CalendarFileError(f"{path}: cannot read the holiday calendar: {err}") from err
    holidays: set[date] = set()
    make_up: set[date] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#") or line.startswith("date\t"):
            continue
        day, kind = _parse_line(path, number, line)
        (holidays if kind == _DAY_OFF else make_up).add(day)
    return WorkingCalendar(frozenset(holidays), frozenset(make_up))


def _parse_line(path: Path, number: int, line: str) -> tuple[date, str]:
    fields = line.split("\t")
    where = f"{path}:{number}"
    if len(fields) < 2:
        raise CalendarFileError(f"{where}: expected date<TAB>{_DAY_OFF}|{_WORKDAY}<TAB>name")
    try:
        day = date.fromisoformat(fields[0].strip())
    except ValueError as err:
        raise CalendarFileError(f"{where}: {fields[0]!r} is not a YYYY-MM-DD date") from err
    kind = fields[1].strip()
    if kind not in (_DAY_OFF, _WORKDAY):
        raise CalendarFileError(f"{where}: kind {kind!r} must be {_DAY_OFF} or {_WORKDAY}")
    return day, kind
