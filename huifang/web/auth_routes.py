"""Sign-in, sign-out and who-am-I: a session cookie plus a CSRF token for the page's script."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from huifang.web.deps import (
    SESSION_COOKIE,
    CsrfUserDep,
    SettingsDep,
    UserDep,
    database,
    sign_in_store,
)
from huifang.web.hardening import MAX_SIGN_IN_BODY_BYTES
from huifang.web.login_limit import LoginLimiter
from huifang.web.passwords import dummy_hash, verify_password
from huifang.web.sign_ins import SignedInUser, SignInStore
from huifang.web.user_accounts import user_by_name
from huifang.web.user_names import MAX_NAME_LENGTH, normalise_username
from storage.audit import Actor, record_change
from storage.database import Database
from storage.models import User, UserRole

router = APIRouter(prefix="/api", tags=["sign-in"])


class Credentials(BaseModel):
    """A sign-in request; JSON only, so a cross-site HTML form cannot post it."""

    username: str = Field(min_length=1, max_length=50)
    password: str = Field(min_length=1, max_length=200)


class Me(BaseModel):
    """The signed-in user, and the token to send as X-CSRF-Token on changes."""

    username: str
    role: UserRole
    csrf_token: str


def login_limiter(request: Request) -> LoginLimiter:
    """The app's failed-sign-in counter."""
    limiter: LoginLimiter = request.app.state.login_limiter
    return limiter


@router.post(
    "/login", responses={401: {}, 413: {}, 429: {}}, max_body_size=MAX_SIGN_IN_BODY_BYTES
)
def login(
    credentials: Credentials,
    request: Request,
    response: Response,
    db: Annotated[Database, Depends(database)],
    settings: SettingsDep,
    store: Annotated[SignInStore, Depends(sign_in_store)],
    limiter: Annotated[LoginLimiter, Depends(login_limiter)],
) -> Me:
    """Check the password and start a session (cookie); 429 after too many failures.

    Every sign-in and every failed one is written to the audit trail, in its own transaction
    (a failure answers with an error, which would roll a shared one back)."""
    name = normalise_username(credentials.username)
    address = request.client.host if request.client else "-"
    wait = limiter.retry_after(address, name)
    if wait > 0:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS, "too many failed sign-ins: wait and try again",
            headers={"Retry-After": str(int(wait) + 1)},
        )  # fmt: skip
    with db.session() as session:
        user = user_by_name(session, name)
        # An unknown name costs a hash check too, so timing does not tell which names exist.
        good = verify_password(credentials.password, user.password_hash if user else dummy_hash())
        refused = _refusal(user, good)
        _audit_sign_in(session, user, name, address, refused)
        if refused is None and user is not None:
            limiter.succeeded(address, name)
            signed: tuple[str, SignedInUser] | None = store.sign_in(
                user.id, user.username, user.role
            )
        else:
            limiter.failed(address, name)
            signed = None
    if signed is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong user name or password")
    token, signed_in = signed
    response.set_cookie(
        SESSION_COOKIE, token, max_age=int(settings.web_session_hours * 3600),
        httponly=True, samesite="strict", secure=settings.web_secure_cookies, path="/",
    )  # fmt: skip
    return _me(signed_in)


def _refusal(user: User | None, good_password: bool) -> str | None:
    """Why a sign-in is refused, for the audit trail (the caller hears only 401), or None."""
    if user is None:
        return "unknown_user"
    if not good_password:
        return "wrong_password"
    return None if user.active else "inactive"


def _audit_sign_in(
    session: Session, user: User | None, name: str, address: str, refused: str | None
) -> None:
    """One audit entry per attempt: who (as typed, normalised), from where, and the outcome."""
    actor = Actor(user.id, user.username) if user else Actor(None, name[:MAX_NAME_LENGTH])
    after = {"address": address, "outcome": "signed_in" if refused is None else refused}
    action = "sign_in" if refused is None else "sign_in.failed"
    record_change(session, actor, action, "user", user.id if user else 0, None, after)


@router.get("/me", responses={401: {}})
def me(user: UserDep) -> Me:
    """Who is signed in, with their CSRF token (the page reads it after a reload)."""
    return _me(user)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses={401: {}, 403: {}})
def logout(
    request: Request,
    response: Response,
    _user: CsrfUserDep,
    store: Annotated[SignInStore, Depends(sign_in_store)],
) -> None:
    """End the session."""
    store.sign_out(request.cookies.get(SESSION_COOKIE, ""))
    response.delete_cookie(SESSION_COOKIE, path="/")


def _me(user: SignedInUser) -> Me:
    return Me(username=user.username, role=user.role, csrf_token=user.csrf_token)
