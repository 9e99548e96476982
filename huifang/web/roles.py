"""What each role may see: whose calls, and personal data unmasked or not."""

from __future__ import annotations

from storage.models import UserRole

# Supervisors and admins handle complaints and corrections that need the full numbers;
# agents read back only the last ID digits, reviewers judge wording, not numbers.
_SEES_PERSONAL_DATA = frozenset({UserRole.SUPERVISOR, UserRole.ADMIN})


def sees_personal_data(role: UserRole) -> bool:
    """Whether the role sees phone and ID numbers unmasked."""
    return role in _SEES_PERSONAL_DATA


def sees_only_own_calls(role: UserRole) -> bool:
    """Agents see the calls they handled; the other roles see every call."""
    return role is UserRole.AGENT
