"""Web users in the database: adding one, finding one by name or id."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from huifang.web.passwords import check_new_password, hash_password
from storage.models import User, UserRole


class UserExistsError(ValueError):
    """A user with this name is already there."""


def add_user(session: Session, username: str, role: UserRole, password: str) -> User:
    """A new active user; ValueError for a weak password, UserExistsError for a taken name."""
    name = username.strip()
    if not name:
        raise ValueError("a user needs a name")
    check_new_password(password)
    if user_by_name(session, name) is not None:
        raise UserExistsError(f"user {name!r} exists already")
    user = User(
        username=name, password_hash=hash_password(password), role=role,
        active=True, created_at=datetime.now(UTC),
    )  # fmt: skip
    session.add(user)
    session.flush()
    return user


def user_by_name(session: Session, username: str) -> User | None:
    """The user with exactly this name, None if unknown."""
    return session.scalar(select(User).where(User.username == username.strip()))
