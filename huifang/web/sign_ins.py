"""Signed-in sessions, held in the process: an opaque cookie token maps to the user and a
CSRF token. One web process per node, so no shared store is needed yet."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass

from storage.models import UserRole


@dataclass(frozen=True)
class SignedInUser:
    """Who made a request, and the token their state-changing requests must echo."""

    user_id: int
    username: str
    role: UserRole
    csrf_token: str
    expires_at: float
    signed_in_at: float = 0.0  # wall-clock seconds: compared with a revocation in the database


class SignInStore:
    """Session tokens to signed-in users; expired tokens are forgotten when next looked up."""

    def __init__(self, lifetime_s: float) -> None:
        self._lifetime_s = lifetime_s
        self._by_token: dict[str, SignedInUser] = {}
        self._lock = threading.Lock()  # sync routes run in a thread pool

    def sign_in(self, user_id: int, username: str, role: UserRole) -> tuple[str, SignedInUser]:
        """A new session token and the signed-in user it stands for."""
        token = secrets.token_urlsafe(32)
        now = time.time()
        user = SignedInUser(
            user_id, username, role, secrets.token_urlsafe(32), now + self._lifetime_s, now
        )
        with self._lock:
            self._forget_expired(now)
            self._by_token[token] = user
        return token, user

    def lookup(self, token: str | None) -> SignedInUser | None:
        """The user a token stands for, None when unknown or expired."""
        if not token:
            return None
        with self._lock:
            user = self._by_token.get(token)
            if user is not None and user.expires_at < time.time():
                del self._by_token[token]
                return None
            return user

    def sign_out(self, token: str) -> None:
        """Forget the token."""
        with self._lock:
            self._by_token.pop(token, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._by_token)

    def _forget_expired(self, now: float) -> None:
        """Drop sessions nobody signed out of, so the table holds live sessions only."""
        for token in [t for t, user in self._by_token.items() if user.expires_at < now]:
            del self._by_token[token]
