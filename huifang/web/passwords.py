"""Password hashes with the stdlib's scrypt (salted, memory-hard, no native dependency), and
the policy a new password must meet."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import unicodedata
from functools import cache
from itertools import pairwise

# 16 MiB and ~50 ms per check: slow for a guesser, unnoticeable at sign-in (RFC 7914 §2).
_N, _R, _P = 2**14, 8, 1
_MAX_MEM = 64 * 1024 * 1024
MIN_LENGTH = 10
MAX_LENGTH = 200  # what /api/login accepts
_MIN_DISTINCT = 5
# The passwords every guesser tries first (and their digit-free forms, below).
_COMMON = frozenset({
    "password", "passw0rd", "p@ssw0rd", "qwerty", "qwertyuiop", "asdfghjkl", "admin",
    "administrator", "letmein", "welcome", "iloveyou", "woaini", "huifang", "changeme",
    "abc", "abcdef", "abcdefg", "abcdefgh", "aa", "qq", "root", "test", "guest", "user",
    "agent", "reviewer", "supervisor", "1q2w3e4r", "1qaz2wsx", "zaq12wsx",
})  # fmt: skip


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


def check_new_password(password: str, username: str = "") -> None:
    """Refuse a password that is blank, padded, short, repetitive, common or the user's name;
    ValueError says why (never repeating the password)."""
    text = unicodedata.normalize("NFKC", password)
    if not text.strip():
        raise ValueError("a password cannot be blank or only spaces")
    if text != text.strip():
        raise ValueError("a password may not begin or end with a space")
    if len(text) < MIN_LENGTH:
        raise ValueError(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise ValueError(f"a password has at most {MAX_LENGTH} characters")
    if len(set(text.casefold())) < _MIN_DISTINCT:
        raise ValueError(f"a password needs at least {_MIN_DISTINCT} different characters")
    if _kinds(text) < 2:
        raise ValueError("a password needs two kinds of characters: letters, digits, others")
    folded = text.casefold()
    name = username.casefold().strip()
    if name and (name in folded or folded in name):
        raise ValueError("a password may not contain the user name")
    if _is_common(folded):
        raise ValueError("this password is among the first ones guessed: choose another")


def _kinds(text: str) -> int:
    """How many of letters (CJK included), digits and other characters the text uses."""
    letters = any(ch.isalpha() for ch in text)
    digits = any(ch.isdigit() for ch in text)
    others = any(not ch.isalnum() for ch in text)
    return letters + digits + others


def _is_common(folded: str) -> bool:
    """A common password, or one with digits and symbols around a common word (Password123!)."""
    core = folded.strip("0123456789!@#$%^&*.?_- ")
    digits_only = folded.isdigit() or not core
    return digits_only or folded in _COMMON or core in _COMMON or _is_sequence(folded)


def _is_sequence(folded: str) -> bool:
    """Keyboard and counting runs: 1234567890, abcdefghij, 9876543210."""
    steps = {ord(b) - ord(a) for a, b in pairwise(folded)}
    return steps in ({1}, {-1})


@cache
def dummy_hash() -> str:
    """Checked when the user is unknown, so an unknown name takes as long as a wrong password."""
    return hash_password(secrets.token_urlsafe(16))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=_MAX_MEM, dklen=32)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
