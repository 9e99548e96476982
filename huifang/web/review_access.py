"""Who may use the review console (质检/主管/管理员, never agents), who reads the audit trail,
and the deadline rules the console's settings give."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, HTTPException, Query, status

from huifang.settings import deadline_rules
from huifang.web.deps import SettingsDep, csrf_checked_user, current_user
from huifang.web.sign_ins import SignedInUser
from storage.audit import Actor
from storage.models import UserRole
from storage.problem_cases import DeadlineRules

_CONSOLE_ROLES = frozenset({UserRole.REVIEWER, UserRole.SUPERVISOR, UserRole.ADMIN})
# Supervisors and admins oversee the reviewers: they read the trail and may resolve any case.
_OVERSEERS = frozenset({UserRole.SUPERVISOR, UserRole.ADMIN})


def uses_review_console(role: UserRole) -> bool:
    """Whether the role works flagged calls and problem cases."""
    return role in _CONSOLE_ROLES


def oversees_reviews(role: UserRole) -> bool:
    """Whether the role reads the audit trail and may resolve another handler's case."""
    return role in _OVERSEERS


def _console_user(user: Annotated[SignedInUser, Depends(current_user)]) -> SignedInUser:
    if not uses_review_console(user.role):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "the review console is for reviewers")
    return user


def _console_changer(
    user: Annotated[SignedInUser, Depends(csrf_checked_user)],
) -> SignedInUser:
    return _console_user(user)


def _overseer(user: Annotated[SignedInUser, Depends(current_user)]) -> SignedInUser:
    if not oversees_reviews(user.role):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "the audit trail is for supervisors")
    return user


def actor(user: SignedInUser) -> Actor:
    """The signed-in user as the audit trail names them."""
    return Actor(user.user_id, user.username)


def _rules(settings: SettingsDep) -> DeadlineRules:
    return deadline_rules(settings)


ReviewerDep = Annotated[SignedInUser, Depends(_console_user)]
ReviewerCsrfDep = Annotated[SignedInUser, Depends(_console_changer)]
OverseerDep = Annotated[SignedInUser, Depends(_overseer)]
RulesDep = Annotated[DeadlineRules, Depends(_rules)]

# Query parameters the console's filters share: plain text without control characters (a
# NUL would reach the database), and days in a range date arithmetic cannot overflow.
FilterText = Annotated[
    str | None, Query(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$")
]
FilterDay = Annotated[date | None, Query(ge=date(2000, 1, 1), le=date(2099, 12, 31))]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
