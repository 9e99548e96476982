"""Identity-step answers: spoken dates and ID digits against the policy record."""

from __future__ import annotations

import pytest
from sz_fixtures import make_policy

from scripts_zh.identity_answer import (
    IdentityVerdict,
    check_identity_answer,
    check_identity_keys,
    check_stated_name,
    spoken_digits,
)

V = IdentityVerdict


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("一九六五年三月八号", V.MATCHED),
        ("我是1965年3月8日出生的", V.MATCHED),
        ("六五年三月八号", V.MATCHED),  # two-digit year as people say it
        ("19650308", V.MATCHED),
        ("一九六五年三月九号", V.MISMATCHED),
        ("一九六六年三月八号", V.MISMATCHED),
        ("后四位是四零二叉", V.MATCHED),
        ("四 零 二 X", V.MATCHED),
        ("尾号是四洞二叉", V.MATCHED),
        ("一二三四", V.MISMATCHED),
        ("三月八号", V.NOT_GIVEN),  # no year: not enough to verify, so asked again
        ("是我", V.NOT_GIVEN),
        ("不记得了", V.NOT_GIVEN),
    ],
)
def test_spoken_identity(text: str, expected: IdentityVerdict) -> None:
    assert check_identity_answer(text, make_policy()) is expected


def test_spoken_digits() -> None:
    assert spoken_digits("幺九六五年") == "1965年"


@pytest.mark.parametrize(
    ("keys", "expected"),
    [("4021", V.MATCHED), ("4020", V.MATCHED), ("4031", V.MISMATCHED), ("40", V.NOT_GIVEN)],
)
def test_keyed_identity_with_x_check_digit(keys: str, expected: IdentityVerdict) -> None:
    assert check_identity_keys(keys, make_policy()) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我是王秀英", V.MATCHED),
        ("对，我是王秀影", V.MATCHED),  # a homophone of the name from the recogniser
        ("我是李华", V.MISMATCHED),
        ("我叫张桂兰", V.MISMATCHED),
        ("我是本人", V.NOT_GIVEN),
        ("是我", V.NOT_GIVEN),
    ],
)
def test_stated_name(text: str, expected: IdentityVerdict) -> None:
    assert check_stated_name(text, make_policy()) is expected
