"""The campaign's rules and dial plan from HUIFANG_CAMPAIGN_* settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from huifang.campaign.calendar import CalendarError, CallingCalendar, parse_clock
from huifang.campaign.schedule import CallingRules
from huifang.settings import Settings
from storage.working_days import CalendarFileError, load_calendar


@dataclass(frozen=True)
class DialPlan:
    """Which SIP URI reaches a number: the longest matching prefix route, else the default.

    Templates hold `{phone}`, e.g. `sip:{phone}@10.0.0.5` for the trunk's gateway; routes let
    a centre send some number ranges (a carrier, a test range) through another gateway.
    """

    default: str
    routes: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for template in (self.default, *self.routes.values()):
            if template and "{phone}" not in template:
                raise CalendarError(f"dial template {template!r} lacks {{phone}}")

    def uri(self, phone: str) -> str:
        """The URI to dial for `phone`; ValueError when no template covers it."""
        prefixes = [p for p in self.routes if phone.startswith(p)]
        template = self.routes[max(prefixes, key=len)] if prefixes else self.default
        if not template:
            raise ValueError(f"no dial route for {phone}: set HUIFANG_CAMPAIGN_DIAL_URI")
        return template.replace("{phone}", phone)


def calling_rules(settings: Settings) -> CallingRules:
    """The calling window, days, holidays and attempt limits; CalendarError naming the setting."""
    try:
        zone = ZoneInfo(settings.campaign_timezone)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise CalendarError(f"HUIFANG_CAMPAIGN_TIMEZONE: unknown zone "
                            f"{settings.campaign_timezone!r}") from err
    holidays_file = settings.campaign_holidays_file
    try:
        days_off = load_calendar(Path(holidays_file) if holidays_file else None)
    except CalendarFileError as err:
        raise CalendarError(str(err)) from err
    calendar = CallingCalendar(
        start=parse_clock(settings.campaign_window_start, "HUIFANG_CAMPAIGN_WINDOW_START"),
        end=parse_clock(settings.campaign_window_end, "HUIFANG_CAMPAIGN_WINDOW_END"),
        days=frozenset(settings.campaign_days), zone=zone, holidays=days_off.holidays,
        workdays=days_off.make_up_days)
    return CallingRules(
        calendar=calendar,
        max_attempts=settings.campaign_max_attempts,
        attempts_per_day=settings.campaign_attempts_per_day,
        spacing=timedelta(minutes=settings.campaign_spacing_minutes),
        letter_lead_days=settings.campaign_letter_lead_days,
    )


def dial_plan(settings: Settings) -> DialPlan:
    """HUIFANG_CAMPAIGN_DIAL_URI and HUIFANG_CAMPAIGN_ROUTES."""
    return DialPlan(settings.campaign_dial_uri, dict(settings.campaign_routes))
