"""The policy term (保险期间) and the callback scope it sets: only new policies with a term over
one year must be called back (应回访)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sqlalchemy import ColumnElement, or_

from storage.models import Policy

# Longest fixed term (in months) that needs no callback: one year.
SCOPE_MONTHS = 12
_YEARS = re.compile(r"^(\d+)(年|年期)?$")
_MONTHS = re.compile(r"^(\d+)(个月|月)$")
_TO_AGE = re.compile(r"^(至|到)?(\d+)(岁|周岁)$")
_WHOLE_LIFE = ("终身", "终生", "保终身")
_DIGITS = {c: n for n, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百]+")


def _cn_number(text: str) -> int:
    """A Chinese numeral up to the hundreds (六, 二十, 一百零五) as an int."""
    total, digit = 0, 0
    for char in text:
        if char == "百":
            total, digit = total + (digit or 1) * 100, 0
        elif char == "十":
            total, digit = total + (digit or 1) * 10, 0
        else:
            digit = digit * 10 + _DIGITS[char]
    return total + digit


def parse_term(value: Any) -> tuple[str, int | None]:
    """(the term as stored, its months or None for 终身/至N岁); ValueError names a bad one."""
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "")
    if not text:
        return "", None
    if text in _WHOLE_LIFE:
        return "终身", None
    text = _CN_NUMBER.sub(lambda m: str(_cn_number(m.group())), text)
    if match := _YEARS.match(text):
        return f"{int(match.group(1))}年", 12 * int(match.group(1))
    if match := _MONTHS.match(text):
        return f"{int(match.group(1))}个月", int(match.group(1))
    if match := _TO_AGE.match(text):
        return f"至{int(match.group(2))}岁", None
    raise ValueError(f"{str(value).strip()!r} is not a policy term (终身, 20年, 6个月, 至70岁)")


def callback_required(coverage_months: int | None) -> bool:
    """Whether a policy of this term must be called back: 终身, to an age, unknown, or > 1 year."""
    return coverage_months is None or coverage_months > SCOPE_MONTHS


def in_callback_scope() -> ColumnElement[bool]:
    """The SQL condition of callback_required, over the policies table."""
    return or_(Policy.coverage_months.is_(None), Policy.coverage_months > SCOPE_MONTHS)
