"""The one masking function: every way a phone, ID or card number is written or said is
hidden; dates, times, amounts and policy numbers are left alone; the length is kept."""

from __future__ import annotations

import random

import pytest

from zhtext.personal_numbers import mask_personal_numbers

_SAID = dict(zip("0123456789", "零一二三四五六七八九", strict=True))
_FULL_WIDTH = dict(zip("0123456789", "０１２３４５６７８９", strict=True))


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("13812345678", "138****5678"),
        ("139 2345 6789", "139 **** 6789"),
        ("139-2345-6789", "139-****-6789"),
        ("139.2345.6789", "139.****.6789"),
        ("139\u30002345\u30006789", "139\u3000****\u30006789"),
        ("+86 137-0001-2345", "+86 137-****-2345"),
        ("020-83456789", "020-****6789"),
        ("440106 1965 0308 402X", "****** **** **** 402X"),
        ("440106 19650308 402x", "****** ******** 402x"),
        ("44010619650308402X", "**************402X"),
        ("6222-0212-3456-7890", "****-****-****-7890"),
        ("6222021234567890123", "***************0123"),
        ("一三八一二三四五六七八", "一三八****五六七八"),
        ("幺三八 幺二三四 五六七八", "幺三八 **** 五六七八"),
        ("一三八，嗯，一二三四，五六七八", "一三八，嗯，****，五六七八"),
        ("１３８１２３４５６７８", "１３８****５６７８"),
        ("138一二三四5678", "138****5678"),
        ("62345678", "****5678"),
    ],
)
def test_personal_numbers_are_hidden_in_every_form(text: str, masked: str) -> None:
    assert mask_personal_numbers(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "2024-11-06T09:00:00.123456+00:00",
        "签单日期 2024-03-15 10:30，回执 2024.3.18，生日19650308",
        "保费1,234,567.50元，年交12345678元，¥12345678",
        "保单号8644012024110001 和 8644012024120107",
        "业务员说这个保本保息，每年稳赚百分之五",
        "client 192.168.100.200:54321 GET /api/calls/12",
        "第3条第5款，共2份，10年交",
        "二〇二四年三月十五日，一九六五年三月八日出生",
        "138****5678 **************402X",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert mask_personal_numbers(text) == text


def test_a_policy_number_next_to_a_phone_keeps_and_the_phone_goes() -> None:
    assert mask_personal_numbers("保单8644012024110001，电话13923456789") == (
        "保单8644012024110001，电话139****6789"
    )


def test_no_generated_number_survives_in_any_format() -> None:
    """Random mobiles, IDs and cards, written 6 ways each, inside a sentence."""
    rng = random.Random(16)
    for _ in range(300):
        number = rng.choice([_mobile, _id_number, _card])(rng)
        for written in _formats(number, rng):
            text = f"客户说：{written}，请核对"
            masked = mask_personal_numbers(text)
            assert len(masked) == len(text)
            assert number not in _digits(masked), (text, masked)
            assert number[-4:] == _digits(masked)[-4:] or not number[-4:].isdigit()


def _mobile(rng: random.Random) -> str:
    return "1" + rng.choice("3456789") + "".join(rng.choices("0123456789", k=9))


def _id_number(rng: random.Random) -> str:
    birth = f"19{rng.randint(40, 99)}0{rng.randint(1, 9)}1{rng.randint(0, 9)}"
    serial = "".join(rng.choices("0123456789", k=3)) + rng.choice("0123456789X")
    return "".join(rng.choices("0123456789", k=6)) + birth + serial


def _card(rng: random.Random) -> str:
    return "62" + "".join(rng.choices("0123456789", k=rng.choice([14, 15, 16, 17])))


def _formats(number: str, rng: random.Random) -> list[str]:
    groups = [number[i : i + 4] for i in range(0, len(number), 4)]
    return [
        number,
        " ".join(groups),
        "-".join(groups),
        "".join(_SAID.get(ch, ch) for ch in number),
        "".join(_FULL_WIDTH.get(ch, ch) for ch in number),
        "".join(_SAID.get(ch, ch) if rng.random() < 0.5 else ch for ch in number),
    ]


def _digits(text: str) -> str:
    """The digits (and X) of a text, numerals read as digits, everything else dropped."""
    back = {said: digit for table in (_SAID, _FULL_WIDTH) for digit, said in table.items()}
    return "".join(back.get(ch, ch) for ch in text if back.get(ch, ch) in "0123456789X")
