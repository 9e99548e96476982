"""Mainland phone numbers in text: one canonical form for storing, matching callers and masking."""

from __future__ import annotations

import re

# Separators people type inside numbers: spaces, dashes, dots, brackets around area codes.
_SEPARATORS = re.compile(r"[\s\-.()（）]")
# 1[3-9] and nine more digits; landlines: 0, a 2-3 digit area code, a 7-8 digit local number.
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{9,11}")
_AREA_CODE = re.compile(r"0(?:10|2\d|[3-9]\d{2})")  # 010, 02x, then three-digit codes
_COUNTRY = re.compile(r"^(?:\+|00)?86")


def normalise_phone(text: str) -> str:
    """The canonical digits of a mobile or landline number; ValueError saying what is wrong."""
    digits = _COUNTRY.sub("", _SEPARATORS.sub("", text.strip()))
    if not digits:
        raise ValueError("empty phone number")
    if not digits.isdigit():
        raise ValueError(f"phone number {text.strip()!r} has characters other than digits")
    if _MOBILE.fullmatch(digits):
        return digits
    if _LANDLINE.fullmatch(digits) and _valid_landline(digits):
        return digits
    raise ValueError(
        f"phone number {text.strip()!r} is neither a mobile number (1[3-9] + 9 digits) "
        "nor a landline with its area code (0 + 2-3 digits, then 7-8 digits)"
    )


def _valid_landline(digits: str) -> bool:
    """Whether the digits split into an area code and a 7-8 digit local number."""
    area = _AREA_CODE.match(digits)
    return area is not None and 7 <= len(digits) - area.end() <= 8


def caller_digits(caller: str) -> str | None:
    """The canonical number of a caller ID (sip:+8613812345678@pbx, 013812345678), or None."""
    # A From header may carry a display name and parameters: "王" <sip:138…@pbx>;tag=…
    uri = caller.split("<", 1)[1].split(">", 1)[0] if "<" in caller else caller
    user = uri.split(":", 1)[-1].split("@", 1)[0].split(";", 1)[0]
    # Trunks often prefix a 0 to mobile numbers for outside lines; 0 + 1[3-9] is never a landline.
    if re.fullmatch(r"01[3-9]\d{9}", user):
        user = user[1:]
    try:
        return normalise_phone(user)
    except ValueError:
        return None


def mask_phone(digits: str) -> str:
    """The number with its middle hidden: 138****5678, 010****5678 (landline keeps area code)."""
    if _MOBILE.fullmatch(digits):
        return f"{digits[:3]}****{digits[-4:]}"
    area = _AREA_CODE.match(digits)
    keep = area.end() if area else 0
    return f"{digits[:keep]}****{digits[-4:]}" if len(digits) > keep + 4 else "****"
