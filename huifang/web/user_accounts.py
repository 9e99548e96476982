"""Web users in the database and their lifecycle — add, deactivate, reactivate, change role,
reset password, revoke sessions — each written to the audit trail; and whether a signed-in
session still stands for an active user in the role it signed in with."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from huifang.web.passwords import check_new_password, hash_password
from huifang.web.sign_ins import SignedInUser
from huifang.web.user_names import MAX_NAME_LENGTH, normalise_username
from storage.audit import SYSTEM, Actor, record_change
from storage.models import User, UserRole


class UserExistsError(ValueError):
    """A user with this name is already there."""


class UnknownUserError(ValueError):
    """No user has this name."""


def add_user(
    session: Session, username: str, role: UserRole, password: str, actor: Actor = SYSTEM
) -> User:
    """A new active user; ValueError for a bad name or weak password, UserExistsError for a
    taken name."""
    name = normalise_username(username)
    if not name:
        raise ValueError("a user needs a name")
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"a user name has at most {MAX_NAME_LENGTH} characters")
    check_new_password(password, name)
    if user_by_name(session, name) is not None:
        raise UserExistsError(f"user {name!r} exists already")
    user = User(
        username=name, password_hash=hash_password(password), role=role,
        active=True, created_at=datetime.now(UTC),
    )  # fmt: skip
    session.add(user)
    session.flush()
    record_change(session, actor, "user.add", "user", user.id, None, user_fields(user))
    return user


def user_by_name(session: Session, username: str) -> User | None:
    """The user with this name in its normal form (width, spaces, case ignored), or None."""
    return session.scalar(select(User).where(User.username == normalise_username(username)))


def existing_user(session: Session, username: str) -> User:
    """The user with this name; UnknownUserError if there is none."""
    user = user_by_name(session, username)
    if user is None:
        raise UnknownUserError(f"no user {normalise_username(username)!r}")
    return user


def all_users(session: Session) -> list[User]:
    """Every user, by name."""
    return list(session.scalars(select(User).order_by(User.username)))


def set_active(session: Session, user: User, active: bool, actor: Actor) -> None:
    """Deactivate (sessions end at once) or reactivate a user."""
    _change(session, user, actor, "user.activate" if active else "user.deactivate",
            active=active, revoke=not active)  # fmt: skip


def change_role(session: Session, user: User, role: UserRole, actor: Actor) -> None:
    """Give the user another role; their sessions end, so the new role applies at once."""
    _change(session, user, actor, "user.role", role=role, revoke=True)


def reset_password(session: Session, user: User, password: str, actor: Actor) -> None:
    """Set a new password (the policy applies) and end the user's sessions."""
    check_new_password(password, user.username)
    before = user_fields(user)
    user.password_hash = hash_password(password)
    user.sessions_valid_after = datetime.now(UTC)
    record_change(session, actor, "user.password_reset", "user", user.id, before,
                  user_fields(user))  # fmt: skip


def revoke_sessions(session: Session, user: User, actor: Actor) -> None:
    """End every session the user has signed in with so far."""
    _change(session, user, actor, "user.revoke_sessions", revoke=True)


def user_fields(user: User) -> dict[str, object]:
    """What the audit trail keeps of a user: never the password hash."""
    return {"username": user.username, "role": user.role, "active": user.active,
            "sessions_valid_after": user.sessions_valid_after}  # fmt: skip


def session_stands(session: Session, signed_in: SignedInUser) -> bool:
    """Whether the session's user still exists, is active, has the same role, and the session
    was not revoked since it began."""
    user = session.get(User, signed_in.user_id)
    if user is None or not user.active or user.role is not signed_in.role:
        return False
    valid_after = user.sessions_valid_after
    return valid_after is None or signed_in.signed_in_at > valid_after.timestamp()


def _change(
    session: Session, user: User, actor: Actor, action: str, *, revoke: bool,
    active: bool | None = None, role: UserRole | None = None,
) -> None:  # fmt: skip
    before = user_fields(user)
    if active is not None:
        user.active = active
    if role is not None:
        user.role = role
    if revoke:
        user.sessions_valid_after = datetime.now(UTC)
    session.flush()
    record_change(session, actor, action, "user", user.id, before, user_fields(user))
