"""The calling calendar: the shipped holiday file, bad files named by line, windows, settings."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest
from campaign_testkit import SHANGHAI

from huifang.campaign.calendar import CalendarError, CallingCalendar, parse_clock
from huifang.campaign.configured import DialPlan, calling_rules
from huifang.settings import Settings


def test_the_bundled_calendar_keeps_2026_holidays_off_and_tiaoxiu_saturdays_on() -> None:
    calendar = calling_rules(Settings(campaign_days=[1, 2, 3, 4, 5])).calendar
    assert not calendar.is_calling_day(date(2026, 10, 1))  # 国庆节
    assert not calendar.is_calling_day(date(2026, 2, 16))  # 春节
    assert calendar.is_calling_day(date(2026, 10, 8))  # a Thursday
    assert calendar.is_calling_day(date(2026, 10, 10))  # 调休上班, a Saturday
    assert not calendar.is_calling_day(date(2026, 10, 11))  # an ordinary Sunday


def test_a_bad_holiday_file_is_named_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "h.tsv"
    path.write_text("date\tkind\tname\n2026-10-01\t休\t国庆节\n2026-13-01\t休\tx\n",
                    encoding="utf-8")
    with pytest.raises(CalendarError, match=rf"{path}:3: '2026-13-01' is not a YYYY-MM-DD"):
        calling_rules(Settings(campaign_holidays_file=str(path)))
    with pytest.raises(CalendarError, match="cannot read"):
        calling_rules(Settings(campaign_holidays_file=str(tmp_path / "none.tsv")))


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
