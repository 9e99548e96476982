"""The stored voiceprints: add, delete per policyholder, search; a .npy matrix + JSON sidecar.

Kept apart from storage/ on purpose: one file pair, a small interface (add, remove_policyholder,
search, save); VoiceprintStore is what a deployment's store offers, of which storage.voiceprints
is the database's (shared by every node). Voiceprints are personal data, so the
index refuses to hold any unless the caller says storing is allowed (HUIFANG_STORE_VOICEPRINTS).

Given the deployment's key, the sidecar names a policyholder only by a keyed pseudonym
(HMAC-SHA256 of `name|birth date|ID tail`), never in plain text: the files alone identify no one,
a hit still names its policy number (resolved through the database), and the same holder always
gets the same pseudonym, so deletion on request and "another policyholder" still work. A sidecar
written before (plain ids) is pseudonymised when opened and on its next save.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from agent_assist.voiceprint import VOICEPRINT_DIM, Voiceprint
from agent_assist.voiceprint_pseudonyms import HolderPseudonyms
from zhtext.private_files import open_private, private_dir, write_private

MATRIX_FILE = "voiceprints.npy"
SIDECAR_FILE = "voiceprints.json"


class VoiceprintStorageForbiddenError(PermissionError):
    """Storing voiceprints is switched off (HUIFANG_STORE_VOICEPRINTS=false, the default)."""


@dataclass(frozen=True, slots=True)
class VoiceprintEntry:
    """Whose call leg a stored voiceprint came from, and the sales chain of that policy."""

    policyholder_id: str
    policy_no: str
    call_id: str
    leg: str = "customer"
    salesperson: str = ""
    team: str = ""
    outlet: str = ""
    branch: str = ""


@dataclass(frozen=True, slots=True)
class VoiceprintHit:
    """A stored voiceprint at least as similar as the threshold asked for."""

    entry: VoiceprintEntry
    score: float


class VoiceprintSearch(Protocol):
    """What the duplicate-voice search needs of stored voiceprints (an index, or a shared one)."""

    def __len__(self) -> int: ...

    def search(self, voiceprint: Voiceprint, threshold: float) -> list[VoiceprintHit]: ...

    def holder_key(self, policyholder_id: str) -> str:
        """How a policyholder is named in the hits (its pseudonym)."""
        ...


class VoiceprintStore(VoiceprintSearch, Protocol):
    """Where a deployment keeps voiceprints: a node's file pair (voiceprint_store) or the
    database all nodes share (storage.voiceprints); each change is kept at once."""

    def entries(self) -> tuple[VoiceprintEntry, ...]:
        """Whose voiceprints are stored (holders by pseudonym)."""
        ...

    def replace_call(self, entry: VoiceprintEntry, voiceprint: Voiceprint) -> None:
        """Store one call leg's voiceprint instead of any stored before for that call."""
        ...

    def remove_call(self, call_id: str) -> int:
        """Delete one call's voiceprints; returns how many."""
        ...

    def remove_policyholder(self, policyholder_id: str) -> int:
        """Delete every voiceprint of one policyholder (plain id or pseudonym); how many."""
        ...


class VoiceprintIndex:
    """All stored voiceprints in one float32 matrix; search is one matrix-vector product."""

    def __init__(self, directory: Path | None, store_allowed: bool,
                 key: bytes | None = None) -> None:
        self._directory = directory
        self._store_allowed = store_allowed
        self._pseudonyms = HolderPseudonyms(key)
        self.plain_ids_found = 0  # entries read with a plain id (pseudonymised in memory)
        self._matrix: npt.NDArray[np.float32] = np.empty((0, VOICEPRINT_DIM), np.float32)
        self._entries: list[VoiceprintEntry] = []

    @classmethod
    def open(cls, directory: Path, store_allowed: bool,
             key: bytes | None = None) -> VoiceprintIndex:
        """The index kept in `directory` (empty if it holds none yet); plain ids of an older
        sidecar are pseudonymised in memory (plain_ids_found counts them: save() to keep it)."""
        index = cls(directory, store_allowed, key)
        sidecar = directory / SIDECAR_FILE
        if sidecar.exists():
            rows = json.loads(sidecar.read_text(encoding="utf-8"))
            index._entries = [index._pseudonymised(VoiceprintEntry(**row)) for row in rows]
            index._matrix = np.load(directory / MATRIX_FILE).astype(np.float32, copy=False)
        return index

    def _pseudonymised(self, entry: VoiceprintEntry) -> VoiceprintEntry:
        """The entry naming its holder by pseudonym; counts a plain id read from disk."""
        self._pseudonyms.check(entry.policyholder_id)
        holder = self._pseudonyms.of(entry.policyholder_id)
        if holder == entry.policyholder_id:
            return entry
        self.plain_ids_found += 1
        return replace(entry, policyholder_id=holder)

    def holder_key(self, policyholder_id: str) -> str:
        """How a policyholder is named in entries and hits: its pseudonym under this key."""
        return self._pseudonyms.of(policyholder_id)

    def __len__(self) -> int:
        return len(self._entries)

    def entries(self) -> tuple[VoiceprintEntry, ...]:
        """Whose voiceprints are stored, in storage order."""
        return tuple(self._entries)

    def vectors(self) -> npt.NDArray[np.float32]:
        """The stored voiceprints, one row per entry (a copy)."""
        return self._matrix.copy()

    def add(self, entry: VoiceprintEntry, voiceprint: Voiceprint) -> None:
        """Store one leg's voiceprint; VoiceprintStorageForbiddenError where storing is off."""
        self.add_many([entry], voiceprint.reshape(1, -1))

    def add_many(
        self, entries: list[VoiceprintEntry], voiceprints: npt.NDArray[np.float32]
    ) -> None:
        """Store many voiceprints at once (rows of `voiceprints` match `entries`)."""
        if not self._store_allowed:
            raise VoiceprintStorageForbiddenError(
                "storing voiceprints is off: set HUIFANG_STORE_VOICEPRINTS=true where allowed"
            )
        if voiceprints.shape != (len(entries), VOICEPRINT_DIM):
            raise ValueError(f"expected {len(entries)}x{VOICEPRINT_DIM}, got {voiceprints.shape}")
        self._matrix = np.concatenate([self._matrix, voiceprints.astype(np.float32)])
        self._entries.extend(
            replace(entry, policyholder_id=self.holder_key(entry.policyholder_id))
            for entry in entries
        )

    def remove_policyholder(self, policyholder_id: str) -> int:
        """Delete every voiceprint of one policyholder (数据删除请求), named plainly or by
        pseudonym; returns how many."""
        policyholder_id = self.holder_key(policyholder_id)
        keep = [i for i, e in enumerate(self._entries) if e.policyholder_id != policyholder_id]
        removed = len(self._entries) - len(keep)
        self._matrix = self._matrix[keep]
        self._entries = [self._entries[i] for i in keep]
        return removed

    def remove_call(self, call_id: str) -> int:
        """Delete the voiceprints of one call (before storing it again); returns how many."""
        return self.remove_calls({call_id})

    def remove_calls(self, call_ids: set[str]) -> int:
        """Delete the voiceprints of these calls in one pass; returns how many."""
        keep = [i for i, e in enumerate(self._entries) if e.call_id not in call_ids]
        removed = len(self._entries) - len(keep)
        self._matrix = self._matrix[keep]
        self._entries = [self._entries[i] for i in keep]
        return removed

    def search(self, voiceprint: Voiceprint, threshold: float) -> list[VoiceprintHit]:
        """Stored voiceprints with cosine similarity ≥ threshold, most similar first."""
        if not self._entries:
            return []
        scores = self._matrix @ voiceprint.astype(np.float32, copy=False)
        rows = np.flatnonzero(scores >= threshold)
        rows = rows[np.argsort(-scores[rows])]
        return [VoiceprintHit(self._entries[i], float(scores[i])) for i in rows]

    def save(self) -> None:
        """Write matrix and sidecar (each atomically); where storing is off, only deletions."""
        if self._directory is None:
            return
        stored_before = (self._directory / SIDECAR_FILE).exists()
        if not (self._store_allowed or stored_before):
            return
        private_dir(self._directory)
        matrix_tmp = self._directory / (MATRIX_FILE + ".tmp")
        with open_private(matrix_tmp) as f:
            np.save(f, self._matrix)
        sidecar_tmp = self._directory / (SIDECAR_FILE + ".tmp")
        rows = [asdict(entry) for entry in self._entries]
        write_private(sidecar_tmp, json.dumps(rows, ensure_ascii=False).encode("utf-8"))
        os.replace(matrix_tmp, self._directory / MATRIX_FILE)
        os.replace(sidecar_tmp, self._directory / SIDECAR_FILE)
