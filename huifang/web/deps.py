"""FastAPI dependencies: settings (tests override them), the database, the signed-in user."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from sqlalchemy.orm import Session

from huifang.calls.bus import EventBus
from huifang.settings import Settings, get_settings
from huifang.web.personal_data import allow_personal_data
from huifang.web.roles import sees_personal_data
from huifang.web.sign_ins import SignedInUser, SignInStore
from huifang.web.user_accounts import session_stands
from storage.database import Database

SESSION_COOKIE = "huifang_session"
CSRF_HEADER = "X-CSRF-Token"


def web_settings() -> Settings:
    """The settings the web app runs with; tests override this dependency."""
    return get_settings()


def database(request: Request) -> Database:
    """The database the app opened at start-up."""
    db: Database = request.app.state.database
    return db


def db_session(db: Annotated[Database, Depends(database)]) -> Iterator[Session]:
    """One transaction per request, committed when the route returns normally."""
    with db.session() as session:
        yield session


def sign_in_store(request: Request) -> SignInStore:
    """The app's signed-in sessions."""
    store: SignInStore = request.app.state.sign_ins
    return store


def event_bus(request: Request) -> EventBus:
    """The app's live-event bus."""
    bus: EventBus = request.app.state.event_bus
    return bus


def current_user(
    request: Request,
    store: Annotated[SignInStore, Depends(sign_in_store)],
    db: Annotated[Database, Depends(database)],
) -> SignedInUser:
    """The signed-in user; 401 without a valid session cookie, or when the user has since
    been deactivated, given another role, or had their sessions revoked (checked against the
    database on every request, so it holds whichever process made the change)."""
    token = request.cookies.get(SESSION_COOKIE)
    user = store.lookup(token)
    if user is not None and not still_signed_in(db, user):
        store.sign_out(token or "")
        user = None
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "sign in first")
    allow_personal_data(request, sees_personal_data(user.role))
    return user


def still_signed_in(db: Database, user: SignedInUser) -> bool:
    """Whether the session still stands for an active user in the same role."""
    with db.session() as session:
        return session_stands(session, user)


def csrf_checked_user(
    request: Request, user: Annotated[SignedInUser, Depends(current_user)]
) -> SignedInUser:
    """The signed-in user of a state-changing request that echoes their CSRF token."""
    # The cookie rides along on a forged cross-site request; this header cannot.
    sent = request.headers.get(CSRF_HEADER, "")
    if not hmac.compare_digest(sent.encode(), user.csrf_token.encode()):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"missing or wrong {CSRF_HEADER} header")
    return user


SettingsDep = Annotated[Settings, Depends(web_settings)]
# scope="function": commit before the response leaves, so a client that reads right after a
# change sees it, and a failed commit is an error response rather than a silent loss.
SessionDep = Annotated[Session, Depends(db_session, scope="function")]
UserDep = Annotated[SignedInUser, Depends(current_user)]
CsrfUserDep = Annotated[SignedInUser, Depends(csrf_checked_user)]
