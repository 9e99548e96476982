"""Keyed pseudonyms of policyholders for the voiceprint sidecar (standard library only, so the
command line can name their error without loading numpy)."""

from __future__ import annotations

import hashlib
import hmac

PSEUDONYM_PREFIX = "hmac:"


class VoiceprintKeyError(ValueError):
    """The sidecar's pseudonyms were made with another key than the one given."""


class HolderPseudonyms:
    """Keyed pseudonyms of policyholder ids: `hmac:<key id>:<32 hex>`; None key: ids as given."""

    def __init__(self, key: bytes | None) -> None:
        self._key = key
        self.key_id = "" if key is None else self._digest(b"huifang voiceprint key id")[:8]

    def _digest(self, data: bytes) -> str:
        assert self._key is not None
        return hmac.new(self._key, data, hashlib.sha256).hexdigest()

    def of(self, policyholder_id: str) -> str:
        """The pseudonym of a plain id; a pseudonym of this key is returned as it is."""
        if self._key is None or is_pseudonym(policyholder_id):
            return policyholder_id
        return f"{PSEUDONYM_PREFIX}{self.key_id}:{self._digest(policyholder_id.encode())[:32]}"

    def check(self, policyholder_id: str) -> None:
        """VoiceprintKeyError for a pseudonym another key made (lost or replaced key)."""
        if self._key is not None and is_pseudonym(policyholder_id) and not (
                policyholder_id.startswith(f"{PSEUDONYM_PREFIX}{self.key_id}:")):
            raise VoiceprintKeyError(
                "the voiceprint sidecar was written with another pseudonym key: restore"
                " HUIFANG_VOICEPRINT_KEY_FILE, or delete the voiceprints"
            )


def is_pseudonym(policyholder_id: str) -> bool:
    """Whether the id is a keyed pseudonym rather than a plain `name|birth|ID tail`."""
    return policyholder_id.startswith(PSEUDONYM_PREFIX)
