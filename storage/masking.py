"""Masked views of personal data (个人信息) for roles that need not see it."""

from __future__ import annotations

from zhtext.phones import mask_phone

__all__ = ["mask_id_last4", "mask_phone"]


def mask_id_last4(last4: str) -> str:
    """An ID number shown by its last four only, as agents read it back: **************123X."""
    return "*" * 14 + last4
