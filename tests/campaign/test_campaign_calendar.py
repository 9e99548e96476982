"""The calling calendar: the shipped holiday file, bad files named by line, windows, settings."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest
from campaign_testkit import SHANGHAI

from huifang.campaign.calendar import (
    HOLIDAYS_CN,
    CalendarError,
    CallingCalendar,
    load_holidays,
    parse_clock,
)
from huifang.campaign.configured import DialPlan, calling_rules
from huifang.settings import Settings


def test_the_shipped_calendar_holds_the_2026_holidays() -> None:
    holidays, workdays = load_holidays(HOLIDAYS_CN)
    assert date(2026, 10, 1) in holidays and date(2026, 10, 7) in holidays
    assert date(2026, 2, 15) in holidays and date(2026, 2, 23) in holidays
    assert date(2026, 10, 8) not in holidays
    assert date(2026, 10, 10) in workdays
    assert len(holidays) == 3 + 9 + 3 + 5 + 3 + 3 + 7


def test_a_bad_entry_is_named_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "h.yaml"
    path.write_text("holidays:\n  - 2026-10-01\n  - 2026-13-01..2026-13-02\n", encoding="utf-8")
    with pytest.raises(CalendarError, match=rf"{path}:3: '2026-13-01..2026-13-02' is not a date"):
        load_holidays(path)
    path.write_text("holidays:\n  - 2026-10-07..2026-10-01\n", encoding="utf-8")
    with pytest.raises(CalendarError, match=r":2: range .* ends before it starts"):
        load_holidays(path)
    path.write_text("holiday:\n  - 2026-10-01\n", encoding="utf-8")
    with pytest.raises(CalendarError, match="unknown key"):
        load_holidays(path)


def test_an_empty_window_or_bad_days_are_refused() -> None:
    with pytest.raises(CalendarError, match="empty"):
        CallingCalendar(time(20), time(9), frozenset({1}), SHANGHAI)
    with pytest.raises(CalendarError, match="ISO weekdays"):
        CallingCalendar(time(9), time(20), frozenset({0, 8}), SHANGHAI)
    with pytest.raises(CalendarError, match="HUIFANG_CAMPAIGN_WINDOW_START: '9h'"):
        parse_clock("9h", "HUIFANG_CAMPAIGN_WINDOW_START")


def test_rules_come_from_settings() -> None:
    settings = Settings(campaign_window_start="08:30", campaign_window_end="21:00",
                        campaign_days=[1, 2, 3, 4, 5], campaign_max_attempts=4,
                        campaign_spacing_minutes=30)
    r = calling_rules(settings)
    assert (r.calendar.start, r.calendar.end, r.max_attempts) == (time(8, 30), time(21), 4)
    assert r.spacing.total_seconds() == 1800
    assert date(2026, 10, 1) in r.calendar.holidays
    with pytest.raises(CalendarError, match="HUIFANG_CAMPAIGN_TIMEZONE"):
        calling_rules(Settings(campaign_timezone="Mars/Olympus"))


def test_the_dial_plan_takes_the_longest_prefix() -> None:
    dial = DialPlan("sip:{phone}@gw", {"138": "sip:{phone}@a", "1380000": "sip:{phone}@b"})
    assert dial.uri("13900000000") == "sip:13900000000@gw"
    assert dial.uri("13812345678") == "sip:13812345678@a"
    assert dial.uri("13800001234") == "sip:13800001234@b"
    with pytest.raises(ValueError, match="HUIFANG_CAMPAIGN_DIAL_URI"):
        DialPlan("").uri("13800001234")
    with pytest.raises(CalendarError, match="lacks"):
        DialPlan("sip:gw")
