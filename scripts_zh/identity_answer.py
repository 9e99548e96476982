"""Understand an identity-check answer (出生日期 or 身份证后四位) and compare it with the record."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum

import cn2an

from scripts_zh.policy import PolicyRecord
from zhtext import normalize_width, to_simplified, toneless_pinyin

_FULL_DATE_RE = re.compile(r"(\d{4}|\d{2})年(\d{1,2})月(\d{1,2})[日号]?")
_COMPACT_DATE_RE = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(\d{2})(\d{2})(?!\d)")
_ID_TAIL_RE = re.compile(r"(?<![\dx])(\d{3}[\dx])(?![\dx])")
# Spoken forms of single digits that cn2an does not know (幺 for 1 in phone numbers, 洞 for 0).
_SPOKEN_DIGITS = str.maketrans({"幺": "一", "洞": "零", "叉": "x", "〇": "零"})


class IdentityVerdict(StrEnum):
    """Whether an identity answer matches the policy record."""

    MATCHED = "matched"
    MISMATCHED = "mismatched"
    NOT_GIVEN = "not_given"  # no date or digits in the answer: understand it as a normal answer


def spoken_digits(text: str) -> str:
    """Chinese numerals → Arabic digits, joined (一九六五年三月八号 → 1965年3月8号)."""
    plain = normalize_width(to_simplified(text)).lower().translate(_SPOKEN_DIGITS)
    try:
        converted = str(cn2an.transform(plain, "cn2an"))
    except (ValueError, KeyError, IndexError):  # cn2an gives up on odd mixes: keep the text
        converted = plain
    return re.sub(r"(?<=[\dx])[\s,，、.。-]+(?=[\dx])", "", converted)


def _birth_dates(text: str) -> list[tuple[int | None, int, int]]:
    """(year or two-digit year, month, day) for every date said."""
    found: list[tuple[int | None, int, int]] = []
    for match in _FULL_DATE_RE.finditer(text):
        found.append((int(match.group(1)), int(match.group(2)), int(match.group(3))))
    for match in _COMPACT_DATE_RE.finditer(text):
        found.append((int(match.group(1)), int(match.group(2)), int(match.group(3))))
    return found


def _date_matches(said: tuple[int | None, int, int], birth: date) -> bool:
    year, month, day = said
    if (month, day) != (birth.month, birth.day) or year is None:
        return False
    return year == birth.year or (year < 100 and year == birth.year % 100)  # 六五年 → 1965


def check_identity_answer(text: str, policy: PolicyRecord) -> IdentityVerdict:
    """MATCHED if a full birth date or the ID's last four digits agree with the record."""
    digits = spoken_digits(text)
    dates = _birth_dates(digits)
    if dates:
        ok = any(_date_matches(said, policy.holder_birth_date) for said in dates)
        return IdentityVerdict.MATCHED if ok else IdentityVerdict.MISMATCHED
    tails = _ID_TAIL_RE.findall(_FULL_DATE_RE.sub("", digits))
    if tails:
        ok = policy.holder_id_last4.lower() in tails
        return IdentityVerdict.MATCHED if ok else IdentityVerdict.MISMATCHED
    return IdentityVerdict.NOT_GIVEN


# 我是李华 / 我叫李华: a stated name; pronouns and particles after 我是 are not names.
_STATED_NAME_RE = re.compile(r"我(?:是|叫)([\u4e00-\u9fff]{2,4})")
_NOT_NAME_CHARS = set("本人的啊呀呢吧嘛他她你我这那是就对个谁")


def check_stated_name(text: str, policy: PolicyRecord) -> IdentityVerdict:
    """Whether a name said in the answer is the policyholder's, by sound (王秀英 ~ 王秀影)."""
    simplified = to_simplified(text)
    for said in _STATED_NAME_RE.findall(simplified):
        if _NOT_NAME_CHARS.intersection(said):
            continue
        spoken = toneless_pinyin(said)[: len(policy.holder_name)]
        matched = spoken == toneless_pinyin(policy.holder_name)
        return IdentityVerdict.MATCHED if matched else IdentityVerdict.MISMATCHED
    return IdentityVerdict.NOT_GIVEN


def check_identity_keys(keys: str, policy: PolicyRecord) -> IdentityVerdict:
    """Four keyed digits against the ID's last four (a trailing X cannot be keyed: any digit)."""
    if len(keys) != 4:
        return IdentityVerdict.NOT_GIVEN
    expected = policy.holder_id_last4.lower()
    ok = keys[:3] == expected[:3] and (expected[3] == "x" or keys[3] == expected[3])
    return IdentityVerdict.MATCHED if ok else IdentityVerdict.MISMATCHED
