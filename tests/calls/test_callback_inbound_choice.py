"""Which of a caller's policies an inbound call is about, and how the caller is printed."""

from __future__ import annotations

from datetime import date

from huifang.calls.inbound import mask_caller
from huifang.calls.policy_lookup import choose_policy
from storage.models import Policy

TODAY = date(2026, 11, 22)


def _policy(policy_id: int, deadline: date) -> Policy:
    return Policy(id=policy_id, policy_no=f"P{policy_id}", cooling_off_deadline=deadline)


def test_nearest_deadline_not_yet_passed_wins() -> None:
    newest, near, passed = (_policy(1, date(2026, 12, 5)), _policy(2, date(2026, 11, 25)),
                            _policy(3, date(2026, 11, 21)))
    assert choose_policy([newest, near, passed], TODAY, set()) is near
    assert choose_policy([newest, near, passed], TODAY, {2}) is newest  # near already reached
    last_day = _policy(4, TODAY)
    assert choose_policy([newest, last_day], TODAY, set()) is last_day  # the last day counts


def test_all_deadlines_passed_takes_the_newest_and_no_policy_none() -> None:
    older = [_policy(5, date(2026, 11, 1)), _policy(6, date(2026, 11, 10))]
    assert choose_policy(older, TODAY, set()) is older[0]
    assert choose_policy([], TODAY, set()) is None


def test_caller_numbers_are_masked_in_any_form() -> None:
    assert mask_caller("<sip:13800001234@10.0.0.1:5060>") == "<sip:138****1234@10.0.0.1:5060>"
    assert "13800001234" not in mask_caller("sip:+8613800001234@pbx")
    assert mask_caller("sip:customer@127.0.0.1:5070") == "sip:customer@127.0.0.1:5070"
