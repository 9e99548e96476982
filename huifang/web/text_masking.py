"""Personal numbers said in free text (transcripts, evidence) hidden for roles without the right."""

from __future__ import annotations

import re

# 7+ digits (an X may end an ID number): landlines, mobiles, 18-digit IDs, 16-19-digit cards.
_LONG_NUMBER = re.compile(r"\d{7,}[Xx]?")


def mask_numbers_in_text(text: str) -> str:
    """Phone, ID and bank-card numbers with all but the first 3 and last 4 characters hidden.

    The length is kept, so character spans into the text (a Flag's evidence) still fit.
    """
    return _LONG_NUMBER.sub(_mask, text)


def _mask(match: re.Match[str]) -> str:
    number = match.group(0)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]
