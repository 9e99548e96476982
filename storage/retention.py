"""How long callback records are kept (保存期限), and the legal floor no setting may go below.

The floor follows 《保险销售行为可回溯管理暂行办法》(保监发〔2017〕54号) 第十二条, the rule a
regulator applies to the audio-visual records of a sale, which a callback recording (回访录音)
is evidence of: kept at least 10 years after the contract ends for a term over one year (every
policy that must be called back, storage.policy_term), 5 years for a term of a year or less,
and in a dispute (投诉, 诉讼) at least 3 years after it ends. DESIGN.md asks for "the statutory
period" without a figure; these are the longest periods that rule sets, so a setting that meets
them meets it.

A call's record is due when all of these have passed: the configured years since the call
began; the legal floor since its policy's contract ended (the recorded end, storage.policy_end,
else sign date + term; a 终身, to-an-age or unknown term without a recorded end has no fixed
end, so its calls are kept until the end is recorded); and 3 years since the last dispute on
the call or its policy closed (none may be open). A policy itself goes once its floor has passed,
nothing holds it, no dispute about it is open or closed within 3 years, and all its calls go.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from storage.models import Policy

# Years after the contract ends: a term over one year / a year or less; after a dispute ends.
LEGAL_MINIMUM_YEARS = 10
SHORT_TERM_MINIMUM_YEARS = 5
DISPUTE_MINIMUM_YEARS = 3
# The shortest setting accepted (years since the call): the long-term floor, for calls with no
# policy (an unknown caller) have no contract end to count from.
SETTING_MINIMUM_YEARS = LEGAL_MINIMUM_YEARS


class RetentionError(ValueError):
    """A retention setting the law or the other settings do not allow; one line says which."""


@dataclass(frozen=True)
class RetentionPolicy:
    """Years kept after a call began: its recording file, its transcript, the call itself."""

    recordings_years: int
    transcripts_years: int
    calls_years: int

    def __post_init__(self) -> None:
        """Refuse a period below the legal floor, or calls kept shorter than their parts."""
        for name in ("recordings_years", "transcripts_years", "calls_years"):
            years = getattr(self, name)
            if years < SETTING_MINIMUM_YEARS:
                raise RetentionError(
                    f"HUIFANG_RETAIN_{name.upper()}={years} is below the legal minimum of"
                    f" {SETTING_MINIMUM_YEARS} years for callback records (可回溯资料)"
                )
        if self.calls_years < max(self.recordings_years, self.transcripts_years):
            raise RetentionError(
                f"HUIFANG_RETAIN_CALLS_YEARS={self.calls_years} is shorter than the recordings'"
                " or transcripts' period: removing a call removes both"
            )


def add_years(moment: datetime, years: int) -> datetime:
    """The same instant `years` later (or earlier); 29 February becomes the 28th."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


def _add_months(day: date, months: int) -> date:
    """The same day `months` later, clipped to the month's end."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def contract_end(policy: Policy) -> datetime | None:
    """When the policy's contract ends, UTC midnight: its recorded end, else sign date + fixed
    term; None: no fixed end and none recorded."""
    if policy.ended_on is not None:
        end = policy.ended_on
    elif policy.coverage_months is not None:
        end = _add_months(policy.sign_date, policy.coverage_months)
    else:
        return None
    return datetime(end.year, end.month, end.day, tzinfo=UTC)


def legal_minimum_years(policy: Policy) -> int:
    """Years a policy's callback records are kept after its contract ends."""
    months = policy.coverage_months
    return SHORT_TERM_MINIMUM_YEARS if months is not None and months <= 12 else LEGAL_MINIMUM_YEARS
