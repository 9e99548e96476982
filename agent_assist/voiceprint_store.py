"""The voiceprint index shared by every process of a node (campaign workers, serve, the desk).

Each process searches the index as it is on disk now and adds to it under an exclusive file
lock (read, add, write back), so two processes ending calls at once both keep their voiceprint.
The file pair is reread only when it changed since the last read. With the deployment's key, the
sidecar names policyholders by keyed pseudonym (voiceprint_index); a sidecar of plain ids left by
an older version is rewritten pseudonymised when the store is opened.
"""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from agent_assist.voiceprint import Voiceprint
from agent_assist.voiceprint_index import (
    SIDECAR_FILE,
    VoiceprintEntry,
    VoiceprintHit,
    VoiceprintIndex,
)
from agent_assist.voiceprint_pseudonyms import HolderPseudonyms
from zhtext.private_files import open_private, private_dir

LOCK_FILE = "voiceprints.lock"


class SharedVoiceprints:
    """Search and add voiceprints in `directory`, safe across threads and processes."""

    def __init__(self, directory: Path, store_allowed: bool, key: bytes | None = None) -> None:
        self.directory = directory
        self.store_allowed = store_allowed
        self._key = key
        self._pseudonyms = HolderPseudonyms(key)
        self._lock = threading.Lock()
        self._index = VoiceprintIndex(directory, store_allowed, key)
        self._stamp: tuple[int, int] | None = None  # (mtime_ns, size) of the sidecar read
        if key is not None and (directory / SIDECAR_FILE).exists():
            self._migrate()

    def _migrate(self) -> None:
        """Rewrite a sidecar that still holds plain policyholder ids with their pseudonyms."""
        with self._lock, self._file_lock():
            index = VoiceprintIndex.open(self.directory, self.store_allowed, self._key)
            if index.plain_ids_found:
                index.save()
            self._index, self._stamp = index, self._sidecar_stamp()

    def holder_key(self, policyholder_id: str) -> str:
        """How a policyholder is named in hits: its pseudonym under this store's key."""
        return self._pseudonyms.of(policyholder_id)

    def __len__(self) -> int:
        with self._lock:
            return len(self._fresh())

    def search(self, voiceprint: Voiceprint, threshold: float) -> list[VoiceprintHit]:
        """Stored voiceprints at least this similar, most similar first (as on disk now)."""
        with self._lock:
            return self._fresh().search(voiceprint, threshold)

    def entries(self) -> tuple[VoiceprintEntry, ...]:
        """Whose voiceprints are stored (as on disk now)."""
        with self._lock:
            return self._fresh().entries()

    def replace_call(self, entry: VoiceprintEntry, voiceprint: Voiceprint) -> None:
        """Store one call leg's voiceprint instead of any stored before for that call.

        VoiceprintStorageForbiddenError where storing is off."""
        def change(index: VoiceprintIndex) -> int:
            index.remove_call(entry.call_id)
            index.add(entry, voiceprint)
            return 1
        self._rewrite(change)

    def remove_call(self, call_id: str) -> int:
        """Delete one call's voiceprints; returns how many."""
        return self._rewrite(lambda index: index.remove_call(call_id))

    def remove_calls(self, call_ids: set[str]) -> int:
        """Delete these calls' voiceprints in one rewrite; returns how many."""
        return self._rewrite(lambda index: index.remove_calls(call_ids))

    def remove_policyholder(self, policyholder_id: str) -> int:
        """Delete every voiceprint of one policyholder; returns how many."""
        return self._rewrite(lambda index: index.remove_policyholder(policyholder_id))

    def _rewrite(self, change: Callable[[VoiceprintIndex], int]) -> int:
        """Read, change and write back the file pair under the exclusive file lock."""
        with self._lock, self._file_lock():
            index = VoiceprintIndex.open(self.directory, self.store_allowed, self._key)
            done = change(index)
            if done:
                index.save()
            self._index, self._stamp = index, self._sidecar_stamp()
            return done

    def _fresh(self) -> VoiceprintIndex:
        """The index as on disk (under self._lock)."""
        stamp = self._sidecar_stamp()
        if stamp != self._stamp:
            with self._file_lock(shared=True):
                self._index = VoiceprintIndex.open(self.directory, self.store_allowed, self._key)
                self._stamp = self._sidecar_stamp()
        return self._index

    def _sidecar_stamp(self) -> tuple[int, int] | None:
        try:
            stat = (self.directory / SIDECAR_FILE).stat()
        except FileNotFoundError:
            return None
        return (stat.st_mtime_ns, stat.st_size)

    @contextmanager
    def _file_lock(self, shared: bool = False) -> Iterator[None]:
        private_dir(self.directory)
        with open_private(self.directory / LOCK_FILE, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
