"""The scheduler, pure: deadlines first, windows, holidays, attempts, spacing, lines, DNC."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from campaign_testkit import rules, shanghai

from huifang.campaign.schedule import Candidate, PastAttempt, letter_cutoff, next_slot, plan
from storage.campaign_models import AttemptOutcome

MONDAY = date(2026, 11, 23)
DEADLINE = MONDAY + timedelta(days=10)


def cand(n: int, *, deadline: date = DEADLINE, phone: str | None = None,
         attempts: tuple[PastAttempt, ...] = ()) -> Candidate:
    return Candidate(n, f"P{n:04d}", phone or f"1380000{n:04d}", deadline, attempts)


def tried(*moments: tuple[date, int, int], outcome: AttemptOutcome = AttemptOutcome.NO_ANSWER
          ) -> tuple[PastAttempt, ...]:
    return tuple(PastAttempt(shanghai(d, h, m), outcome) for d, h, m in moments)


def test_earliest_deadline_first_then_fewest_attempts_then_number() -> None:
    now = shanghai(MONDAY, 10)
    late = cand(1, deadline=DEADLINE + timedelta(days=3))
    early = cand(2, deadline=DEADLINE)
    early_tried = cand(3, deadline=DEADLINE, attempts=tried((MONDAY - timedelta(days=1), 9, 0)))
    early_other = cand(4, deadline=DEADLINE)
    chosen = plan(rules(), now, [late, early_tried, early_other, early], free_lines=3).dial
    assert [c.policy_no for c in chosen] == ["P0002", "P0004", "P0003"]


def test_the_concurrency_cap_limits_the_picks() -> None:
    now = shanghai(MONDAY, 10)
    picked = plan(rules(), now, [cand(n) for n in range(10)], free_lines=4)
    assert len(picked.dial) == 4
    assert plan(rules(), now, [cand(n) for n in range(10)], free_lines=0).dial == ()


@pytest.mark.parametrize(("hour", "minute", "due"), [
    (8, 59, False), (9, 0, True), (19, 59, True), (20, 0, False), (23, 0, False),
])
def test_only_inside_the_calling_window(hour: int, minute: int, due: bool) -> None:
    now = shanghai(MONDAY, hour, minute)
    decided = plan(rules(), now, [cand(1)], free_lines=1)
    assert (len(decided.dial) == 1) is due
    if not due:
        expected_day = MONDAY if hour < 9 else MONDAY + timedelta(days=1)
        assert decided.next_due == shanghai(expected_day, 9)


def test_the_window_is_local_time_whatever_the_clock_zone() -> None:
    # 01:30 UTC is 09:30 in Shanghai: inside the window although UTC says night.
    now = shanghai(MONDAY, 9, 30)
    assert now.hour == 1
    assert len(plan(rules(), now, [cand(1)], free_lines=1).dial) == 1


def test_holidays_and_days_off_are_skipped_and_tiaoxiu_workdays_kept() -> None:
    weekdays = frozenset(range(1, 6))
    holiday = MONDAY + timedelta(days=1)
    saturday = MONDAY + timedelta(days=5)
    r = rules(days=weekdays, holidays=frozenset({holiday}), workdays=frozenset({saturday}))
    # Monday after hours: Tuesday is a holiday, so Wednesday 09:00.
    assert next_slot(r, (), shanghai(MONDAY, 21)) == shanghai(MONDAY + timedelta(days=2), 9)
    # Friday after hours: Saturday is a 调休 working day.
    friday = MONDAY + timedelta(days=4)
    assert next_slot(r, (), shanghai(friday, 21)) == shanghai(saturday, 9)
    # Saturday after hours: Sunday is off, Monday next.
    assert next_slot(r, (), shanghai(saturday, 21)) == shanghai(MONDAY + timedelta(days=7), 9)


def test_never_two_attempts_within_the_spacing() -> None:
    r = rules(spacing_min=120)
    past = tried((MONDAY, 9, 30))
    assert next_slot(r, past, shanghai(MONDAY, 10)) == shanghai(MONDAY, 11, 30)
    decided = plan(r, shanghai(MONDAY, 11, 29), [cand(1, attempts=past)], free_lines=1)
    assert decided.dial == () and decided.next_due == shanghai(MONDAY, 11, 30)
    assert len(plan(r, shanghai(MONDAY, 11, 30), [cand(1, attempts=past)],
                    free_lines=1).dial) == 1


def test_spacing_that_runs_past_the_window_moves_to_the_next_morning() -> None:
    past = tried((MONDAY, 19, 0))
    assert next_slot(rules(), past, shanghai(MONDAY, 19, 30)) == \
        shanghai(MONDAY + timedelta(days=1), 9)


def test_three_attempts_over_two_days() -> None:
    """2 a day, 2 h apart: Monday 09:00 and 11:00, Tuesday 09:00, then no more."""
    r = rules(max_attempts=3, per_day=2, spacing_min=120)
    made: tuple[PastAttempt, ...] = ()
    moments = []
    now = shanghai(MONDAY, 9)
    for _ in range(3):
        slot = next_slot(r, made, now)
        assert slot is not None
        moments.append(slot)
        made += (PastAttempt(slot, AttemptOutcome.NO_ANSWER),)
        now = slot + timedelta(minutes=1)
    assert moments == [shanghai(MONDAY, 9), shanghai(MONDAY, 11),
                       shanghai(MONDAY + timedelta(days=1), 9)]
    assert next_slot(r, made, now) is None


def test_exhausted_attempts_go_to_letter_or_visit_with_every_attempt_listed() -> None:
    past = tried((MONDAY, 9, 0), (MONDAY, 11, 0)) + tried(
        (MONDAY + timedelta(days=1), 9, 0), outcome=AttemptOutcome.BUSY)
    decided = plan(rules(), shanghai(MONDAY + timedelta(days=1), 12),
                   [cand(1, attempts=past)], free_lines=1)
    assert decided.dial == ()
    (letter,) = decided.letters
    lines = letter.explanation().splitlines()
    assert lines[0] == "unreached after 3 attempts"
    assert lines[1].startswith("attempt 1 2026-11-23T01:00:00+00:00: no_answer")
    assert lines[3].endswith("busy")


def test_an_invalid_number_is_handed_over_at_once() -> None:
    past = tried((MONDAY, 9, 0), outcome=AttemptOutcome.INVALID_NUMBER)
    decided = plan(rules(), shanghai(MONDAY, 15), [cand(1, attempts=past)], free_lines=1)
    assert [letter.reason for letter in decided.letters] == ["invalid number (空号)"]


def test_a_number_on_the_do_not_call_list_is_never_dialled() -> None:
    decided = plan(rules(), shanghai(MONDAY, 10), [cand(1), cand(2)], free_lines=2,
                   do_not_call={"13800000001"})
    assert [c.policy_no for c in decided.dial] == ["P0002"]
    assert [letter.candidate.policy_no for letter in decided.letters] == ["P0001"]
    assert decided.letters[0].reason == "number on the do-not-call list"


def test_one_number_is_never_dialled_twice_at_once() -> None:
    shared = "13912345678"
    now = shanghai(MONDAY, 10)
    decided = plan(rules(), now, [cand(1, phone=shared), cand(2, phone=shared), cand(3)],
                   free_lines=3)
    assert [c.policy_no for c in decided.dial] == ["P0001", "P0003"]
    assert [c.policy_no for c in decided.waiting_for_line] == ["P0002"]
    # A number already being dialled (by any worker) blocks it too.
    busy = plan(rules(), now, [cand(1, phone=shared)], free_lines=3, busy_phones={shared})
    assert busy.dial == () and len(busy.waiting_for_line) == 1


def test_letter_cutoff_is_the_window_end_lead_days_before_the_deadline() -> None:
    assert letter_cutoff(rules(lead_days=2), DEADLINE) == \
        shanghai(DEADLINE - timedelta(days=2), 20)


def test_near_the_deadline_an_unreached_policy_is_handed_over() -> None:
    r = rules(lead_days=2)
    deadline = MONDAY + timedelta(days=2)
    # Monday 10:00: today is the last calling day before the cutoff (Monday 20:00).
    assert len(plan(r, shanghai(MONDAY, 10), [cand(1, deadline=deadline)],
                    free_lines=1).dial) == 1
    # Monday 20:30: the next window (Tuesday) is past the cutoff.
    late = plan(r, shanghai(MONDAY, 20, 30), [cand(1, deadline=deadline)], free_lines=1)
    assert late.dial == ()
    assert late.letters[0].reason.startswith("no calling time left before the letter cutoff "
                                             "2026-11-23T20:00+08:00")


def test_spacing_that_would_cross_the_cutoff_hands_over_early() -> None:
    r = rules(lead_days=0, spacing_min=120)
    deadline = MONDAY
    past = tried((MONDAY, 18, 30))
    decided = plan(r, shanghai(MONDAY, 19), [cand(1, deadline=deadline, attempts=past)],
                   free_lines=1)
    assert [letter.candidate.policy_no for letter in decided.letters] == ["P0001"]


def test_a_policy_already_past_its_deadline_is_handed_over() -> None:
    decided = plan(rules(), shanghai(MONDAY, 10), [cand(1, deadline=MONDAY - timedelta(days=1))],
                   free_lines=1)
    assert decided.dial == () and len(decided.letters) == 1


def test_next_due_is_the_earliest_waiting_moment() -> None:
    r = rules(spacing_min=60)
    a = cand(1, attempts=tried((MONDAY, 9, 30)))
    b = cand(2, attempts=tried((MONDAY, 9, 10)))
    decided = plan(r, shanghai(MONDAY, 9, 45), [a, b], free_lines=2)
    assert decided.dial == () and decided.next_due == shanghai(MONDAY, 10, 10)


def test_attempts_per_day_counts_local_days() -> None:
    r = rules(per_day=1, spacing_min=0)
    # 23:30 UTC Sunday is 07:30 Monday in Shanghai: it counts for Monday.
    early = shanghai(MONDAY, 7, 30)
    assert early.date() == MONDAY - timedelta(days=1)  # Sunday by the UTC calendar
    past = (PastAttempt(early, AttemptOutcome.BUSY),)
    assert next_slot(r, past, shanghai(MONDAY, 10)) == shanghai(MONDAY + timedelta(days=1), 9)
