"""The phone number changed within N days after purchase (投保后短期内变更联系电话)."""

from __future__ import annotations

import pytest
from phone_cues_testkit import change, of_kind, policy

from agent_assist.events import Severity
from agent_assist.phone_cue_rules import find_phone_cues
from agent_assist.phone_cues import PhoneCueKind, PhoneCueSettings

CHANGED = PhoneCueKind.CHANGED_AFTER_PURCHASE
ZHANG = policy(1, "张桂兰", "2268", "13700012345", 3)  # signed 2024-11-03


def test_a_change_three_days_after_signing_is_a_cue() -> None:
    cues = of_kind(find_phone_cues([ZHANG], [change(1, "13700012345", "15118886420", 6)]), CHANGED)
    assert len(cues) == 1
    cue = cues[0]
    assert cue.policy_nos == ("8644012024100001",)
    assert cue.numbers == ("13700012345", "15118886420")
    assert cue.span_days == 3
    assert cue.severity is Severity.MEDIUM  # in the first half of the 7-day window
    assert cue.message == (
        "保单8644012024100001投保后第3天将联系电话由137****2345变更为151****6420。"
        "请向投保人本人核实此次变更。"
    )


def test_a_change_on_the_day_of_signing_is_high() -> None:
    cue = of_kind(find_phone_cues([ZHANG], [change(1, "13700012345", "15118886420", 3)]), CHANGED)[
        0
    ]
    assert cue.severity is Severity.HIGH
    assert "投保当天" in cue.message


def test_a_change_after_the_window_is_no_cue_unless_the_window_is_longer() -> None:
    late = [change(1, "13700012345", "15118886420", 11)]  # 8 days after signing
    assert of_kind(find_phone_cues([ZHANG], late), CHANGED) == []
    longer = PhoneCueSettings(change_window_days=10)
    cues = of_kind(find_phone_cues([ZHANG], late, longer), CHANGED)
    assert [cue.severity for cue in cues] == [Severity.LOW]
    on_the_edge = [change(1, "13700012345", "15118886420", 10)]  # day 7 of 7
    assert len(of_kind(find_phone_cues([ZHANG], on_the_edge), CHANGED)) == 1


def test_a_change_before_signing_is_no_cue() -> None:
    early = [change(1, "13600000000", "13700012345", 1)]
    assert of_kind(find_phone_cues([ZHANG], early), CHANGED) == []


def test_changes_of_unknown_policies_or_to_the_same_number_are_no_cue() -> None:
    changes = [
        change(99, "13700012345", "15118886420", 4),
        change(1, "13700012345", "137-0001-2345", 4),  # the same number, rewritten
    ]
    assert of_kind(find_phone_cues([ZHANG], changes), CHANGED) == []


def test_a_new_number_other_holders_use_raises_the_cue_and_names_their_policies() -> None:
    """DESIGN.md: changed right after purchase to a number the salesperson controls."""
    other = policy(2, "赵敏", "5180", "15118886420", 4)
    changes = [change(1, "13700012345", "15118886420", 6)]
    cue = of_kind(find_phone_cues([ZHANG, other], changes), CHANGED)[0]
    assert cue.severity is Severity.HIGH
    assert cue.policy_nos == ("8644012024100001", "8644012024100002")
    assert "新号码同时登记在另外1位投保人的保单上" in cue.message


def test_a_change_record_with_a_bad_number_is_refused() -> None:
    with pytest.raises(ValueError, match="neither a mobile number"):
        change(1, "13700012345", "1511888642", 6)
