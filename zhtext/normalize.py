"""Normalise Chinese text: simplified characters, half-width forms, numerals, fillers."""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

import cn2an
import opencc

# Hesitation sounds that carry no content; 额 is left alone because 保额 is a domain word.
FILLERS = "呃嗯唔哦啊诶欸哎唉"
_FILLER_RE = re.compile(f"[{FILLERS}]")
_CJK_SPACE_RE = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")
_DIGIT_NAMES = str.maketrans("0123456789", "零一二三四五六七八九")
# Read one digit at a time, as people read them: a number with a leading zero (0012, read as a
# cardinal it loses its zeros), a run of this many digits or more (phone, card, policy and ID
# numbers: 138… is not 一百三十八亿), and a year (2024年 is 二零二四年).
DIGIT_BY_DIGIT_LENGTH = 7
_YEAR_RE = re.compile(r"[12]\d{3}")
# A number: digit groups first (138 1234 5678, 139-2345-6789), else one number (3.5%).
_NUMBER_RE = re.compile(r"\d{3,}(?:[ -]\d{3,})+|\d+(?:\.\d+)?%?")
_GROUP_SEPARATOR_RE = re.compile(r"[ -]")
# Anything that is neither a letter, a digit nor a CJK ideograph counts as punctuation or space.
_NON_WORD_RE = re.compile(r"[^\w]|_", re.UNICODE)

_converter_lock = threading.Lock()
_SHIELD = "\ue000"  # a private-use character no converter table mentions


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("tw2sp")


def to_simplified(text: str) -> str:
    """Traditional → simplified characters and mainland wording (OpenCC tw2sp)."""
    # tw2sp rather than t2s: Whisper writes Taiwan forms (著 for 着, 軟體 for 软件).
    # tw2sp maps a lone 么 to 幺 (Taiwan usage); shield it so 神么 stays a homophone of 什么.
    shielded = text.replace("么", _SHIELD)
    with _converter_lock:  # one converter object, not documented as thread-safe
        converted = str(_converter().convert(shielded))
    return converted.replace(_SHIELD, "么")


@lru_cache(maxsize=1)
def _traditional_converter() -> opencc.OpenCC:
    return opencc.OpenCC("s2tw")


def to_traditional(text: str) -> str:
    """Simplified → Taiwan traditional characters (OpenCC s2tw), the script Whisper often writes."""
    with _converter_lock:
        return str(_traditional_converter().convert(text))


def normalize_width(text: str) -> str:
    """Full-width digits, letters and punctuation → half-width (NFKC), ideographic space → space."""
    return unicodedata.normalize("NFKC", text).replace("\u3000", " ")


def join_cjk(text: str) -> str:
    """Drop the spaces recognisers put between Chinese characters (Latin words keep theirs)."""
    return _CJK_SPACE_RE.sub("", text)


def strip_punctuation(text: str) -> str:
    """Drop punctuation, symbols and whitespace of both widths."""
    return _NON_WORD_RE.sub("", text)


def strip_fillers(text: str) -> str:
    """Drop hesitation fillers (呃, 嗯, 啊 …)."""
    return _FILLER_RE.sub("", text)


def number_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """Each number in the text: its (start, end) and how it is read aloud."""
    for match in _NUMBER_RE.finditer(text):
        year = text.startswith("年", match.end())
        yield match.start(), match.end(), _spell(match.group(0), year)


def numerals_to_chinese(text: str) -> str:
    """Arabic numbers → Chinese numerals as read aloud (26 → 二十六, 0012 → 零零一二)."""
    pieces: list[str] = []
    position = 0
    for start, end, spelled in number_spans(text):
        pieces += [text[position:start], spelled]
        position = end
    return "".join([*pieces, text[position:]])


def _spell(token: str, year: bool) -> str:
    """Digit groups that together are one digit string read as one; else each on its own."""
    digits = _GROUP_SEPARATOR_RE.sub("", token)
    if digits == token:
        return _spell_number(token, year)
    if _read_digit_by_digit(digits, year=False):
        return digits.translate(_DIGIT_NAMES)
    return re.sub(r"\d+", lambda group: _spell_number(group.group(0), year=False), token)


def _spell_number(token: str, year: bool) -> str:
    """One number as read aloud; `year`: it stands before 年."""
    percent = token.endswith("%")
    number = token.rstrip("%")
    if not percent and _read_digit_by_digit(number, year):
        return number.translate(_DIGIT_NAMES)
    try:
        spelled = str(cn2an.an2cn(number))
    except (ValueError, KeyError):  # cn2an rejects some shapes: keep the digits
        return token
    return f"百分之{spelled}" if percent else spelled


def _read_digit_by_digit(number: str, year: bool) -> bool:
    """Whether an unsigned number is read one digit at a time rather than as a quantity."""
    if not number.isdigit():
        return False
    leading_zero = len(number) > 1 and number.startswith("0")
    return leading_zero or len(number) >= DIGIT_BY_DIGIT_LENGTH or (
        year and bool(_YEAR_RE.fullmatch(number)))


def normalize_for_matching(text: str) -> str:
    """Simplified, half-width, lower-case text with numerals spelled out; punctuation kept."""
    return numerals_to_chinese(normalize_width(to_simplified(text))).lower()


def normalize_for_scoring(text: str) -> str:
    """The form both reference and hypothesis take before a character error rate is computed.

    幺 is how 一 is read in a string of digits (幺三八…): one character for both.
    """
    return strip_fillers(strip_punctuation(normalize_for_matching(text))).replace("幺", "一")
