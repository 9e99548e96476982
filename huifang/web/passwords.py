"""Password hashes with the stdlib's scrypt: salted, memory-hard, no native dependency."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from functools import cache

# 16 MiB and ~50 ms per check: slow for a guesser, unnoticeable at sign-in (RFC 7914 §2).
_N, _R, _P = 2**14, 8, 1
_MAX_MEM = 64 * 1024 * 1024
MIN_LENGTH = 8


def hash_password(password: str) -> str:
    """A self-describing hash: scrypt$n$r$p$salt$digest (base64)."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, _N, _R, _P)
    return "$".join(["scrypt", str(_N), str(_R), str(_P), _b64(salt), _b64(digest)])


def verify_password(password: str, stored: str) -> bool:
    """Whether the password matches the stored hash; False for a malformed hash."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        actual = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(actual, base64.b64decode(digest))


def check_new_password(password: str) -> None:
    """Refuse a password too short to resist guessing; ValueError says why."""
    if len(password) < MIN_LENGTH:
        raise ValueError(f"a password needs at least {MIN_LENGTH} characters")


@cache
def dummy_hash() -> str:
    """Checked when the user is unknown, so an unknown name takes as long as a wrong password."""
    return hash_password(secrets.token_urlsafe(16))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=_MAX_MEM, dklen=32)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
