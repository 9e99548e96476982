"""One number serving several unrelated policyholders; a household landline needs a third."""

from __future__ import annotations

from phone_cues_testkit import of_kind, policy

from agent_assist.events import Severity
from agent_assist.phone_cue_rules import find_phone_cues
from agent_assist.phone_cues import PhoneCueKind, PhoneCueSettings

SHARED = PhoneCueKind.SHARED_NUMBER


def test_one_mobile_for_two_policyholders_is_a_cue() -> None:
    policies = [
        policy(1, "王秀英", "402X", "13923456789", 3, "李明"),
        policy(2, "李建国", "0315", "139 2345 6789", 9, "张伟"),
    ]
    cues = of_kind(find_phone_cues(policies), SHARED)
    assert len(cues) == 1
    cue = cues[0]
    assert cue.policy_nos == ("8644012024100001", "8644012024100002")
    assert cue.numbers == ("13923456789",)
    assert cue.severity is Severity.LOW  # two holders, two salespeople: only the threshold
    assert cue.message.startswith("联系电话139****6789登记为2位不同投保人的联系电话。")
    assert "请核实该号码的实际使用人" in cue.message


def test_one_salesperson_behind_both_holders_raises_the_severity() -> None:
    policies = [
        policy(1, "王秀英", "402X", "13923456789", 3),
        policy(2, "李建国", "0315", "13923456789", 4),
    ]
    cue = of_kind(find_phone_cues(policies), SHARED)[0]
    assert cue.severity is Severity.MEDIUM
    assert "（均由业务员李明销售）" in cue.message


def test_one_holder_with_two_policies_is_no_cue() -> None:
    policies = [
        policy(1, "王秀英", "402X", "13923456789", 3),
        policy(2, "王秀英", "402x", "13923456789", 20),  # the ID's X in either case
    ]
    assert of_kind(find_phone_cues(policies), SHARED) == []


def test_two_people_of_one_name_are_told_apart_by_id() -> None:
    policies = [
        policy(1, "王芳", "1024", "13923456789", 3),
        policy(2, "王芳", "5531", "13923456789", 4),
    ]
    assert len(of_kind(find_phone_cues(policies), SHARED)) == 1


def test_a_couple_on_their_home_landline_is_no_cue() -> None:
    """Decision: a landline (座机) is the household's; two holders on it is ordinary."""
    couple = [
        policy(1, "陈建华", "3317", "020-83456789", 3),
        policy(2, "林美玲", "6642", "(020) 8345 6789", 3),
    ]
    assert of_kind(find_phone_cues(couple), SHARED) == []
    third = policy(3, "黄志强", "0093", "02083456789", 5, "张伟")
    cues = of_kind(find_phone_cues([*couple, third]), SHARED)
    assert [cue.numbers for cue in cues] == [("02083456789",)]
    assert cues[0].severity is Severity.LOW
    assert "020****6789" in cues[0].message


def test_the_landline_bar_is_a_setting() -> None:
    couple = [
        policy(1, "陈建华", "3317", "020-83456789", 3),
        policy(2, "林美玲", "6642", "020-83456789", 3),
    ]
    settings = PhoneCueSettings(min_landline_holders=2)
    assert len(of_kind(find_phone_cues(couple, settings=settings), SHARED)) == 1


def test_more_holders_on_one_number_rank_higher() -> None:
    four = [
        policy(i, holder, f"7{i}21", "18688880001", 10 + i)
        for i, holder in enumerate(("刘洋", "陈静", "赵敏", "孙丽"), start=1)
    ]
    pair = [
        policy(11, "王秀英", "402X", "13923456789", 3, "李明"),
        policy(12, "李建国", "0315", "13923456789", 9, "张伟"),
    ]
    cues = of_kind(find_phone_cues(pair + four), SHARED)
    assert [cue.numbers for cue in cues] == [("18688880001",), ("13923456789",)]
    assert [cue.severity for cue in cues] == [Severity.HIGH, Severity.LOW]
    assert "4位不同投保人" in cues[0].message
