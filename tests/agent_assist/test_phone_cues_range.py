"""Several new policies of one salesperson on numbers in one range (号段相近)."""

from __future__ import annotations

import re

from phone_cues_testkit import of_kind, policy

from agent_assist.events import Severity
from agent_assist.phone_cue_rules import find_phone_cues
from agent_assist.phone_cues import PhoneCueKind, PhoneCueSettings
from agent_assist.phone_records import NumberRange, PolicyFacts

RANGE = PhoneCueKind.NUMBER_RANGE


def _three_in_one_range(
    salespeople: tuple[str, str, str] = ("李明", "李明", "李明"),
) -> list[PolicyFacts]:
    """王秀英, 李建国, 张桂兰 on 1381234xxxx, signed 4-6 November."""
    return [
        policy(1, "王秀英", "402X", "13812345601", 4, salespeople[0]),
        policy(2, "李建国", "0315", "138 1234 7702", 5, salespeople[1]),
        policy(3, "张桂兰", "2268", "+86 138-1234-9903", 6, salespeople[2]),
    ]


def test_three_numbers_in_one_range_for_one_salesperson_is_a_cue() -> None:
    cues = of_kind(find_phone_cues(_three_in_one_range()), RANGE)
    assert len(cues) == 1
    cue = cues[0]
    assert cue.policy_nos == ("8644012024100001", "8644012024100002", "8644012024100003")
    assert cue.numbers == ("13812345601", "13812347702", "13812349903")
    assert cue.span_days == 2
    # At the threshold, but all signed within a quarter of the 30-day window: one point.
    assert cue.severity is Severity.MEDIUM
    assert "业务员李明（广东分公司）3天内的3张新保单" in cue.message


def test_the_message_masks_numbers_and_asks_to_verify() -> None:
    cue = of_kind(find_phone_cues(_three_in_one_range()), RANGE)[0]
    assert "138****5601" in cue.message
    assert not re.search(r"\d{7}", cue.message), "a full number or range leaked to the agent"
    assert "请核实" in cue.message
    assert not any(word in cue.message for word in ("欺诈", "冒用", "违规", "确定", "属实"))
    assert cue.as_json()["numbers"] == ["138****5601", "138****7702", "138****9903"]


def test_different_salespeople_on_one_range_are_no_cue() -> None:
    policies = _three_in_one_range(("李明", "张伟", "陈芳"))
    assert of_kind(find_phone_cues(policies), RANGE) == []


def test_one_name_in_two_branches_is_two_salespeople() -> None:
    policies = _three_in_one_range()
    policies[2] = policy(3, "张桂兰", "2268", "13812349903", 6, "李明", "浙江分公司")
    assert of_kind(find_phone_cues(policies), RANGE) == []


def test_numbers_in_neighbouring_ranges_are_no_cue() -> None:
    policies = [
        policy(1, "王秀英", "402X", "13812345601", 4),
        policy(2, "李建国", "0315", "13812357702", 5),  # 1381235: the next block
        policy(3, "张桂兰", "2268", "13912349903", 6),  # 139: another segment
    ]
    assert of_kind(find_phone_cues(policies), RANGE) == []


def test_two_numbers_are_below_the_default_threshold() -> None:
    assert of_kind(find_phone_cues(_three_in_one_range()[:2]), RANGE) == []
    settings = PhoneCueSettings(min_range_numbers=2)
    assert len(of_kind(find_phone_cues(_three_in_one_range()[:2], settings=settings), RANGE)) == 1


def test_one_number_on_three_policies_is_not_a_range() -> None:
    """A family buying three policies on one phone is not several numbers in one range."""
    policies = [
        policy(1, "王秀英", "402X", "13812345601", 4),
        policy(2, "王秀英", "402X", "13812345601", 4),
        policy(3, "王秀英", "402X", "13812345601", 5),
    ]
    assert of_kind(find_phone_cues(policies), RANGE) == []


def test_policies_signed_further_apart_than_the_window_are_no_cue() -> None:
    policies = [
        policy(1, "王秀英", "402X", "13812345601", 1),
        policy(2, "李建国", "0315", "13812347702", 12),
        policy(3, "张桂兰", "2268", "13812349903", 23),
    ]
    assert (
        of_kind(find_phone_cues(policies, settings=PhoneCueSettings(range_window_days=14)), RANGE)
        == []
    )
    # Within the default 30 days, but spread over three weeks: the lowest severity.
    cues = of_kind(find_phone_cues(policies), RANGE)
    assert [cue.severity for cue in cues] == [Severity.LOW]


def test_landlines_form_no_range() -> None:
    """020-8345xxxx share an exchange, not a batch of SIM cards."""
    policies = [
        policy(1, "王秀英", "402X", "020-83456701", 4),
        policy(2, "李建国", "0315", "020-83456702", 4),
        policy(3, "张桂兰", "2268", "020-83456703", 5),
    ]
    assert NumberRange.of("02083456701") is None
    assert of_kind(find_phone_cues(policies), RANGE) == []


def test_more_numbers_in_fewer_days_rank_first() -> None:
    slow = _three_in_one_range()
    fast = [
        policy(10 + i, holder, f"10{i}0", f"1502026{i}{i}8{i}", 12, "张伟")
        for i, holder in enumerate(("刘洋", "陈静", "赵敏", "孙丽", "周强"))
    ]
    cues = of_kind(find_phone_cues(slow + fast), RANGE)
    assert [cue.severity for cue in cues] == [Severity.HIGH, Severity.MEDIUM]
    assert len(cues[0].policy_nos) == 5
    assert "业务员张伟（广东分公司）1天内的5张新保单" in cues[0].message
