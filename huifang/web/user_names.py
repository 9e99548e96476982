"""One normal form of a user name, shared by every lookup, the sign-in limiter and storage:
`ａｇｅｎｔ２`, `Agent2` and `agent2\u3000` are the same person (storage revision 0010 froze it)."""

from __future__ import annotations

import unicodedata

MAX_NAME_LENGTH = 50


def normalise_username(name: str) -> str:
    """NFKC (full-width to half-width), whitespace trimmed and collapsed (U+3000 included),
    case folded."""
    return " ".join(unicodedata.normalize("NFKC", name).split()).casefold()
