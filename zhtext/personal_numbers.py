"""Personal numbers in free text — phone, ID and bank-card numbers, however written or spoken —
hidden for readers without the right to them; dates, times, amounts and policy numbers kept.

The one masking function of huifang: the web API, the websocket, exports, logs and error
messages all call `mask_personal_numbers`. It reads a number through the ways people write it
(`139 2345 6789`, `139-2345-6789`, `440106 1965 0308 402X`), full-width digits (１３８…),
Chinese numerals as a number is read out (一三八…, 幺 for 1, 〇/零 for 0), financial numerals
(壹贰叁…) and mixtures of them. Each hidden digit becomes one `*`, so the text keeps its
length and character spans into it (a flag's evidence) still fit.

What is a personal number (kept visible: the last 4 characters; phones also their first 3,
landlines their area code, as the call-centre convention shows them):
- a mobile number (1[3-9] + 9 digits, +86/0086 before it or not), a landline with its area
  code, and any other run of 7 to 15 digits (local numbers, old 15-digit IDs, partial cards);
- an ID number: 17 digits and a check digit or X;
- a bank card: 16 to 19 digits starting as card numbers do (3, 4, 5, 6, 81, 9);
- anything of 20 digits or more (two numbers run together).
What is not: dates (2024-03-15, 2024.3.15, 0001-01-01, 20240315), clock times, IPv4
addresses, amounts (1,234,567; 1234567.50; 12345678元; ¥12345678), and 16–19-digit numbers
that do not start like a card — the insurer's policy numbers (8644012024110001), contracts.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

MASK = "*"

# Numerals as digits are read out; 幺 (1) and 两 (2) are how phone numbers are said aloud.
_CHINESE_DIGITS = {
    **dict.fromkeys("〇○零", "0"), **dict.fromkeys("幺一壹", "1"), **dict.fromkeys("二两贰貳", "2"),
    **dict.fromkeys("三叁參", "3"), **dict.fromkeys("四肆", "4"), **dict.fromkeys("五伍", "5"),
    **dict.fromkeys("六陆陸", "6"), **dict.fromkeys("七柒", "7"), **dict.fromkeys("八捌", "8"),
    **dict.fromkeys("九玖", "9"),
}  # fmt: skip
# What people put between digit groups, each mapped to one class the patterns below read.
_SEPARATORS = {
    **dict.fromkeys(" \u3000\u00a0\t", " "), **dict.fromkeys("-‐‑‒–—－", "-"),
    **dict.fromkeys(".．·", "."), **dict.fromkeys(",，", ","), "_": "_", "/": "/",
    # Fillers a recogniser writes into a number said with pauses (一三八，嗯，一二三四…).
    **dict.fromkeys("嗯啊呃额哦", "~"),
}  # fmt: skip
_JOINING = frozenset(" -.,_~")
_MAX_GAP = 3  # "139 - 2345" still joins; a longer gap is two numbers

# Spans that look like digit runs but are ordinary text, found on the shadow (digits as 0-9) in
# two passes: times and addresses first, so a date followed by its time is still a date.
_NOT_JOINED = r"(?<!\d[ \-.,_~])(?<!\d[ \-.,_~]{2})(?<!\d[ \-.,_~]{3})"  # no digits run into it
_NOT_RUN_ON = r"(?![ \-.,_~]{1,3}\d)"
_ORDINARY = (
    re.compile(
        r"(?<![\d:])\d{1,2}:\d\d(?::\d\d(?:\.\d+)?)?(?![\d:])"  # clock times, ISO fractions
        r"|(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])"  # IPv4 addresses
    ),
    re.compile(
        rf"{_NOT_JOINED}(?<![\d.])\d{{4}}([-./])(?:0?[1-9]|1[0-2])\1"
        rf"(?:0?[1-9]|[12]\d|3[01])(?!\d){_NOT_RUN_ON}"  # 2024-03-15, 2024.3.15
        rf"|{_NOT_JOINED}(?<!\d)(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?!\d)"
        rf"{_NOT_RUN_ON}"  # 20240315 standing alone (440106 19650308 402X is an ID)
        r"|(?<![\d,.])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])"  # 1,234,567.50
        r"|(?<![\d.])\d{1,10}\.\d{1,2}(?![\d.])"  # 1234567.50
    ),
)
_GROUP = re.compile(r"\d+(?:X(?![A-Za-z0-9]))?")
_MOBILE = re.compile(r"((?:0086|86)?)(1[3-9]\d)\d{8}")
_LANDLINE = re.compile(r"(0(?:10|2\d|[3-9]\d\d))\d{7,8}")
_CARD_START = ("3", "4", "5", "6", "81", "9")
_MONEY_AFTER = frozenset("元块万亿%％")
_MONEY_BEFORE = frozenset("¥￥$")


def mask_personal_numbers(text: str) -> str:
    """The text with every phone, ID and bank-card number hidden but its last characters."""
    if not text:
        return text
    shadow = _shadow(text)
    if not any(ch.isdigit() for ch in shadow):
        return text
    out = list(text)
    for hidden in _hidden_positions(text, shadow):
        out[hidden] = MASK
    return "".join(out)


@dataclass(frozen=True)
class _Group:
    """A run of digits in the shadow: [start, end) and the digits (an ID's X included)."""

    start: int
    end: int
    digits: str


def _shadow(text: str) -> str:
    """The text with one character per character: digits 0-9, X, separator classes, else #."""
    chars = []
    for ch in text:
        if ch in _CHINESE_DIGITS:
            chars.append(_CHINESE_DIGITS[ch])
        elif ch in "xXｘＸ":
            chars.append("X")
        elif ch in _SEPARATORS:
            chars.append(_SEPARATORS[ch])
        elif ch.isascii() and ch.isalpha():
            chars.append(ch)
        elif ch == ":":
            chars.append(":")
        else:
            value = unicodedata.decimal(ch, None)
            chars.append(str(value) if value is not None else "#")
    shadow = "".join(chars)
    # Ordinary numbers are blanked out so no personal number is read into them.
    for ordinary in _ORDINARY:
        shadow = ordinary.sub(lambda match: "#" * len(match.group(0)), shadow)
    return shadow


def _groups(shadow: str) -> list[_Group]:
    return [_Group(m.start(), m.end(), m.group(0)) for m in _GROUP.finditer(shadow)]


def _joinable(shadow: str, left: _Group, right: _Group) -> bool:
    """Whether two digit groups are one number written with separators between them."""
    gap = shadow[left.end : right.start]
    return 0 < len(gap) <= _MAX_GAP and set(gap) <= _JOINING and not left.digits.endswith("X")


def _hidden_positions(text: str, shadow: str) -> Iterator[int]:
    """Positions in the text of the digits to hide."""
    groups = _groups(shadow)
    i = 0
    while i < len(groups):
        found = _personal_span(text, shadow, groups, i)
        if found is None:
            i += 1
            continue
        last, keep_first = found
        span = groups[i : last + 1]
        yield from _hidden_in(span, keep_first)
        i = last + 1


def _personal_span(
    text: str, shadow: str, groups: list[_Group], first: int
) -> tuple[int, int] | None:
    """(last group, leading digits kept) of the personal number starting at `first`, or None."""
    candidates: list[tuple[int, str]] = []  # (last group index, joined digits)
    digits = ""
    for last in range(first, len(groups)):
        if last > first and not _joinable(shadow, groups[last - 1], groups[last]):
            break
        digits += groups[last].digits
        if "X" in digits[:-1] or len(digits) > 19:
            break
        candidates.append((last, digits))
    for last, joined in reversed(candidates):  # the longest number of a known kind wins
        keep_first = _known_kind(joined)
        if keep_first is not None:
            return last, keep_first
    return _other_number(text, groups, first, candidates)


def _known_kind(digits: str) -> int | None:
    """How many leading digits a phone, ID or card of these digits keeps visible; None if none."""
    if digits.endswith("X"):
        return 0 if len(digits) == 18 else None
    if mobile := _MOBILE.fullmatch(digits):
        return len(mobile.group(1)) + 3
    if landline := _LANDLINE.fullmatch(digits):
        return len(landline.group(1))
    if len(digits) in (15, 18):
        return 0
    if 16 <= len(digits) <= 19 and digits.startswith(_CARD_START):
        return 0
    return None


def _other_number(
    text: str, groups: list[_Group], first: int, candidates: list[tuple[int, str]]
) -> tuple[int, int] | None:
    """A long number of no known kind: hidden unless it is an amount or a policy number."""
    alone = groups[first].digits
    if _is_code(text, groups[first].start):
        return None  # P2026999999, A1234567: an identifier's digits, not a number of its own
    if len(alone) >= 20:
        return first, 0
    if 16 <= len(alone) <= 19:
        return None  # a policy or contract number: the card prefixes were checked above
    joined = [(last, d) for last, d in candidates if 7 <= len(d) <= 15]
    if not joined:
        return None
    last, digits = joined[-1]
    if len(digits) <= 10 and _is_money(text, groups[first].start, groups[last].end):
        return None
    return last, 0


def _is_code(text: str, start: int) -> bool:
    """Whether the digits are glued to a Latin letter before them (a policy or case code)."""
    before = text[start - 1 : start]
    return before.isascii() and before.isalpha()


def _is_money(text: str, start: int, end: int) -> bool:
    """Whether a currency sign comes before the number or a money unit after it."""
    after = text[end:].lstrip()
    before = text[:start].rstrip()
    return (after[:1] in _MONEY_AFTER and after[:1] != "") or (
        before[-1:] in _MONEY_BEFORE and before[-1:] != ""
    )


def _hidden_in(span: list[_Group], keep_first: int) -> Iterator[int]:
    """Text positions of the span's digits other than the first `keep_first` and the last 4."""
    positions = [pos for group in span for pos in range(group.start, group.end)]
    yield from positions[keep_first : max(keep_first, len(positions) - 4)]
