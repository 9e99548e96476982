"""Which policies to dial now (pure: the clock and the state are arguments).

Order: the earliest 犹豫期 deadline first, then the policy tried least, then policy number.
A policy is dialled only inside a calling window, at most `max_attempts` times, at most
`attempts_per_day` times a local day, never within `spacing` of its previous attempt, never
while its number is on the do-not-call list or already being dialled. A policy that cannot be
reached by phone before its letter cutoff goes to the letter-or-visit list (信函/上门回访) with
the reason and every attempt made.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from huifang.campaign.calendar import CallingCalendar
from storage.campaign_models import AttemptOutcome


@dataclass(frozen=True)
class CallingRules:
    """The campaign's limits (HUIFANG_CAMPAIGN_*)."""

    calendar: CallingCalendar
    max_attempts: int = 3
    attempts_per_day: int = 2
    spacing: timedelta = timedelta(hours=2)
    letter_lead_days: int = 2  # a letter or visit needs this many days before the deadline


@dataclass(frozen=True)
class PastAttempt:
    """An attempt already made (or being made) at a policy."""

    started_at: datetime
    outcome: AttemptOutcome | None  # None while in progress
    detail: str = ""


@dataclass(frozen=True)
class Candidate:
    """A policy still waiting for a successful callback."""

    campaign_policy_id: int
    policy_no: str
    phone: str
    deadline: date  # last day of the 犹豫期
    attempts: tuple[PastAttempt, ...] = ()  # only those that dialled, oldest first


@dataclass(frozen=True)
class LetterOrVisit:
    """A policy to hand over to letters or a visit, and why."""

    candidate: Candidate
    reason: str

    def explanation(self) -> str:
        """The reason, then one line per attempt with its time and outcome."""
        lines = [self.reason]
        for n, attempt in enumerate(self.candidate.attempts, start=1):
            outcome = attempt.outcome.value if attempt.outcome else "unknown"
            detail = f" ({attempt.detail})" if attempt.detail else ""
            lines.append(f"attempt {n} {attempt.started_at.isoformat(timespec='seconds')}: "
                         f"{outcome}{detail}")
        return "\n".join(lines)


@dataclass(frozen=True)
class Plan:
    """What to do now: whom to dial, whom to hand over, and when to look again."""

    dial: tuple[Candidate, ...] = ()
    letters: tuple[LetterOrVisit, ...] = ()
    next_due: datetime | None = None  # the earliest later moment a waiting policy becomes due
    waiting_for_line: tuple[Candidate, ...] = field(default=())  # due, but its number is busy
    later: tuple[tuple[Candidate, datetime], ...] = ()  # not yet due, with the moment it is


def letter_cutoff(rules: CallingRules, deadline: date) -> datetime:
    """The last moment a call may start: the window's end `letter_lead_days` before the deadline."""
    return rules.calendar.closing(deadline - timedelta(days=rules.letter_lead_days))


def next_slot(rules: CallingRules, attempts: Iterable[PastAttempt],
              after: datetime) -> datetime | None:
    """The earliest moment at or after `after` this policy may be dialled under the rules."""
    made = sorted(attempt.started_at for attempt in attempts)
    if len(made) >= rules.max_attempts:
        return None
    moment = max(after, made[-1] + rules.spacing) if made else after
    calendar = rules.calendar
    for _ in range(400):
        opened = calendar.next_open(moment)
        if opened is None:
            return None
        day = calendar.local(opened).date()
        on_day = sum(1 for started in made if calendar.local(started).date() == day)
        if on_day < rules.attempts_per_day:
            return opened
        moment = calendar.opening(day + timedelta(days=1))
    return None


def priority(candidate: Candidate) -> tuple[date, int, str]:
    """Earliest deadline first; among equals the policy tried least; then by number."""
    return candidate.deadline, len(candidate.attempts), candidate.policy_no


def plan(rules: CallingRules, now: datetime, candidates: Iterable[Candidate], *,
         free_lines: int, busy_phones: Iterable[str] = (),
         do_not_call: Iterable[str] = ()) -> Plan:
    """Decide, for every waiting policy, whether to dial it now, hand it over, or wait."""
    busy = set(busy_phones)
    blocked = set(do_not_call)
    dial: list[Candidate] = []
    letters: list[LetterOrVisit] = []
    waiting: list[Candidate] = []
    later: list[tuple[Candidate, datetime]] = []
    next_due: datetime | None = None
    for candidate in sorted(candidates, key=priority):
        closing = _closing_reason(rules, now, candidate, blocked)
        if closing is not None:
            letters.append(LetterOrVisit(candidate, closing))
            continue
        slot = next_slot(rules, candidate.attempts, now)
        assert slot is not None  # _closing_reason hands over policies with no slot left
        if slot > now:
            later.append((candidate, slot))
            next_due = slot if next_due is None else min(next_due, slot)
        elif candidate.phone in busy:
            waiting.append(candidate)
        elif len(dial) < free_lines:
            dial.append(candidate)
            busy.add(candidate.phone)
    return Plan(tuple(dial), tuple(letters), next_due, tuple(waiting), tuple(later))


def _closing_reason(rules: CallingRules, now: datetime, candidate: Candidate,
                    do_not_call: set[str]) -> str | None:
    """Why the policy can no longer be reached by phone in time, or None if it still can."""
    if candidate.phone in do_not_call:
        return "number on the do-not-call list"
    outcomes = [attempt.outcome for attempt in candidate.attempts]
    if AttemptOutcome.INVALID_NUMBER in outcomes:
        return "invalid number (空号)"
    if len(candidate.attempts) >= rules.max_attempts:
        return f"unreached after {len(candidate.attempts)} attempts"
    slot = next_slot(rules, candidate.attempts, now)
    cutoff = letter_cutoff(rules, candidate.deadline)
    if slot is None or slot > cutoff:
        return (f"no calling time left before the letter cutoff "
                f"{rules.calendar.local(cutoff).isoformat(timespec='minutes')} "
                f"(犹豫期 ends {candidate.deadline})")
    return None
