"""The voiceprints every node shares, kept in the database (HUIFANG_VOICEPRINT_STORE=database).

The same interface as a node's file pair (agent_assist.voiceprint_store.SharedVoiceprints):
search, replace a call's voiceprint, delete per call or per policyholder. A row names its
holder only by keyed pseudonym (agent_assist.voiceprint_pseudonyms); the key stays in a file
beside the application, never in the database, and every node must be given the same one.

Each process searches an in-memory float32 matrix, brought up to date before every search with
one small query: the state row's counters and the rows added since the last id seen. Every
change takes the state row's lock first, so ids rise in commit order and "id > last seen" misses
none. A deletion (a holder's request, a call stored again, the purge) records the row ids that
went (ids only); a cache whose deletion counter is behind drops those rows, and reloads whole
only where the records it missed were pruned (after PRUNE_AFTER).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import (
    ColumnElement,
    Engine,
    Executable,
    and_,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from agent_assist.voiceprint import VOICEPRINT_DIM, Voiceprint
from agent_assist.voiceprint_index import (
    VoiceprintEntry,
    VoiceprintHit,
    VoiceprintStorageForbiddenError,
)
from agent_assist.voiceprint_pseudonyms import (
    HolderPseudonyms,
    VoiceprintKeyError,
    is_pseudonym,
)
from storage.voiceprint_models import StoredVoiceprint, VoiceprintDeletion, VoiceprintState

log = logging.getLogger(__name__)
_STATE_ID = 1
_CHUNK = 500
# How long a deletion is remembered by id: a process that has not searched for longer reloads.
PRUNE_AFTER = timedelta(days=7)
_ENTRY_COLUMNS = (StoredVoiceprint.id, StoredVoiceprint.holder, StoredVoiceprint.policy_no,
                  StoredVoiceprint.call_id, StoredVoiceprint.leg, StoredVoiceprint.salesperson,
                  StoredVoiceprint.team, StoredVoiceprint.outlet, StoredVoiceprint.branch,
                  StoredVoiceprint.embedding)


def _since(last_id: int) -> Executable:
    """The state row's counters, with every row added after `last_id` (none: one row whose
    voiceprint columns are NULL)."""
    newer = and_(StoredVoiceprint.id > last_id, VoiceprintState.id == _STATE_ID)
    return (select(VoiceprintState.deletions, VoiceprintState.pruned_through, *_ENTRY_COLUMNS)
            .outerjoin(StoredVoiceprint, newer)
            .where(VoiceprintState.id == _STATE_ID).order_by(StoredVoiceprint.id))


def _lock_state(session: Session) -> None:
    """Lock the state row (made again if a TRUNCATE emptied it) until the transaction ends."""
    touch = (update(VoiceprintState).where(VoiceprintState.id == _STATE_ID)
             .values(additions=VoiceprintState.additions))
    if session.execute(touch).rowcount:  # type: ignore[attr-defined]
        return
    dialect = session.get_bind().dialect.name
    make = pg_insert if dialect == "postgresql" else sqlite_insert
    row = {"id": _STATE_ID, "deletions": 0, "additions": 0, "pruned_through": 0}
    session.execute(make(VoiceprintState).values(row).on_conflict_do_nothing())
    session.execute(touch)


def _set_state(session: Session, **values: Any) -> None:
    session.execute(update(VoiceprintState).where(VoiceprintState.id == _STATE_ID)
                    .values(values))


def _delete_where(session: Session, where: ColumnElement[bool]) -> int:
    """Delete the matching voiceprints, each recorded by id for the other processes' caches;
    deletion records older than PRUNE_AFTER are pruned. Returns how many."""
    if session.scalar(select(StoredVoiceprint.id).where(where).limit(1)) is None:
        return 0
    _lock_state(session)  # deletion ids rise in commit order, as additions' do
    ids = list(session.scalars(select(StoredVoiceprint.id).where(where)))
    if not ids:
        return 0
    now = datetime.now(UTC)
    session.execute(insert(VoiceprintDeletion),
                    [{"voiceprint_id": voiceprint_id, "deleted_at": now} for voiceprint_id in ids])
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        session.execute(delete(StoredVoiceprint).where(StoredVoiceprint.id.in_(chunk)))
    _set_state(session, deletions=session.scalar(select(func.max(VoiceprintDeletion.id))))
    prune_deletions(session, now - PRUNE_AFTER)
    return len(ids)


def prune_deletions(session: Session, before: datetime) -> int:
    """Forget the deletion records made before `before` (a cache that had not seen them
    reloads whole); returns the last id pruned, 0 if none."""
    through = session.scalar(select(func.max(VoiceprintDeletion.id))
                             .where(VoiceprintDeletion.deleted_at < before))
    if through is None:
        return 0
    _lock_state(session)
    session.execute(delete(VoiceprintDeletion).where(VoiceprintDeletion.id <= through))
    _set_state(session, pruned_through=through)
    return int(through)


def delete_call_voiceprints(session: Session, call_ids: Sequence[int]) -> int:
    """Delete the voiceprints of these calls (the purge, a call stored again); how many."""
    removed = 0
    for start in range(0, len(call_ids), _CHUNK):
        chunk = list(call_ids[start:start + _CHUNK])
        removed += _delete_where(session, StoredVoiceprint.call_id.in_(chunk))
    return removed


class DatabaseVoiceprints:
    """Search, add and delete the voiceprints of the shared database, safe across threads,
    processes and nodes. `key` None only reads a database that holds none."""

    def __init__(self, engine: Engine, store_allowed: bool, key: bytes | None) -> None:
        self.store_allowed = store_allowed
        self._engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._key = key
        self._pseudonyms = HolderPseudonyms(key)
        self._lock = threading.Lock()
        self._matrix: npt.NDArray[np.float32] = np.empty((0, VOICEPRINT_DIM), np.float32)
        self._rows = 0
        self._entries: list[VoiceprintEntry] = []
        self._ids: list[int] = []  # the row id of each matrix row
        self._pos: dict[int, int] = {}  # matrix row of each live row id
        self._dead: set[int] = set()  # matrix rows deleted since the last compaction
        self._last_id = 0
        self._deletions: int | None = None  # the counter the cache was loaded at

    def holder_key(self, policyholder_id: str) -> str:
        """How a policyholder is named in rows and hits: its pseudonym under this key."""
        return self._pseudonyms.of(policyholder_id)

    def __len__(self) -> int:
        with self._lock:
            self._refresh()
            return self._rows - len(self._dead)

    def entries(self) -> tuple[VoiceprintEntry, ...]:
        """Whose voiceprints are stored, in storage order."""
        with self._lock:
            self._refresh()
            return tuple(e for i, e in enumerate(self._entries) if i not in self._dead)

    def search(self, voiceprint: Voiceprint, threshold: float) -> list[VoiceprintHit]:
        """Stored voiceprints with cosine similarity ≥ threshold, most similar first (every
        node's, as committed before this call)."""
        with self._lock:
            self._refresh()
            if self._rows == len(self._dead):
                return []
            scores = self._matrix[:self._rows] @ voiceprint.astype(np.float32, copy=False)
            found = np.flatnonzero(scores >= threshold)
            found = found[np.argsort(-scores[found], kind="stable")]
            return [VoiceprintHit(self._entries[i], float(scores[i])) for i in found]

    def replace_call(self, entry: VoiceprintEntry, voiceprint: Voiceprint) -> None:
        """Store one call leg's voiceprint instead of any stored before for that call.

        VoiceprintStorageForbiddenError where storing is off."""
        self.add_many([entry], voiceprint.reshape(1, -1), replace=True)

    def add_many(self, entries: Sequence[VoiceprintEntry], voiceprints: npt.NDArray[np.float32],
                 *, replace: bool = False) -> None:
        """Store many voiceprints in one transaction (rows match entries); `replace` first
        deletes what their calls had stored."""
        if not self.store_allowed:
            raise VoiceprintStorageForbiddenError(
                "storing voiceprints is off: set HUIFANG_STORE_VOICEPRINTS=true where allowed"
            )
        if self._key is None:
            raise VoiceprintStorageForbiddenError(
                "no voiceprint pseudonym key: the database keeps holders only by pseudonym")
        if voiceprints.shape != (len(entries), VOICEPRINT_DIM):
            raise ValueError(f"expected {len(entries)}x{VOICEPRINT_DIM}, got {voiceprints.shape}")
        now = datetime.now(UTC)
        rows = [self._row(entry, vector, now) for entry, vector in zip(entries, voiceprints,
                                                                      strict=True)]
        with self._sessions.begin() as session:
            if replace:
                delete_call_voiceprints(session, [int(e.call_id) for e in entries])
            _lock_state(session)  # before the INSERT: ids rise in commit order
            _set_state(session, additions=VoiceprintState.additions + len(rows))
            session.add_all(rows)

    def _row(self, entry: VoiceprintEntry, vector: npt.NDArray[np.float32],
             now: datetime) -> StoredVoiceprint:
        return StoredVoiceprint(
            holder=self.holder_key(entry.policyholder_id), policy_no=entry.policy_no,
            call_id=int(entry.call_id), leg=entry.leg, salesperson=entry.salesperson,
            team=entry.team, outlet=entry.outlet, branch=entry.branch,
            embedding=np.asarray(vector, "<f4").tobytes(), created_at=now)

    def remove_call(self, call_id: str) -> int:
        """Delete one call's voiceprints; returns how many."""
        with self._sessions.begin() as session:
            return delete_call_voiceprints(session, [int(call_id)])

    def remove_policyholder(self, policyholder_id: str) -> int:
        """Delete every voiceprint of one policyholder (数据删除请求), named plainly or by
        pseudonym; returns how many."""
        holder = self.holder_key(policyholder_id)
        with self._sessions.begin() as session:
            return _delete_where(session, StoredVoiceprint.holder == holder)

    def _refresh(self) -> None:
        """Bring the cache up to date (under self._lock); with the database unreachable, the
        cache as it is (logged): a live call's other voice cues must not be lost to it."""
        try:
            self._fetch()
        except DBAPIError as err:
            log.warning("voiceprints: database unreachable, searching the copy of %d loaded"
                        " before: %s", self._rows, " ".join(str(err.orig).split()))

    def _fetch(self) -> None:
        """Rows added and deleted since the last look, by id; everything again where deletion
        records this cache had not seen were pruned. One statement on an autocommit connection
        when nothing was deleted: one round trip when nothing changed."""
        with self._engine.connect().execution_options(isolation_level="AUTOCOMMIT") as link:
            rows = link.execute(_since(self._last_id)).all()
            deletions, pruned = (int(rows[0][0]), int(rows[0][1])) if rows else (0, 0)
            seen, gone = self._deletions, set()
            if self._last_id and seen is not None and deletions != seen:
                if pruned > seen or deletions < seen:  # forgotten, or the tables were emptied
                    self._clear()
                    rows = link.execute(_since(0)).all()
                    deletions = int(rows[0][0]) if rows else 0
                else:
                    records = link.execute(select(VoiceprintDeletion.id,
                                                  VoiceprintDeletion.voiceprint_id)
                                           .where(VoiceprintDeletion.id > seen)).all()
                    gone = {int(voiceprint_id) for _, voiceprint_id in records}
                    deletions = max([deletions, *(int(i) for i, _ in records)])
        self._deletions = deletions
        fresh = [row[2:] for row in rows if row[2] is not None]
        if fresh:
            self._append(fresh)
        self._drop(gone)  # after: a row fetched as new may have gone since

    def _clear(self) -> None:
        self._rows, self._last_id = 0, 0
        self._entries, self._ids, self._pos, self._dead = [], [], {}, set()

    def _drop(self, ids: set[int]) -> None:
        """Take deleted rows out of the search (ids never loaded are ignored): their vector
        becomes NaN, which no threshold passes; compacted once a quarter is dead."""
        for voiceprint_id in ids:
            position = self._pos.pop(voiceprint_id, None)
            if position is not None:
                self._matrix[position] = np.nan
                self._dead.add(position)
        if len(self._dead) * 4 > self._rows:
            self._compact()

    def _compact(self) -> None:
        keep = [i for i in range(self._rows) if i not in self._dead]
        self._matrix[:len(keep)] = self._matrix[keep]
        self._entries = [self._entries[i] for i in keep]
        self._ids = [self._ids[i] for i in keep]
        self._pos = {voiceprint_id: i for i, voiceprint_id in enumerate(self._ids)}
        self._rows, self._dead = len(keep), set()

    def _append(self, rows: Iterable[Sequence[object]]) -> None:
        """Add fetched rows to the matrix (grown by doubling) and the entries."""
        rows = list(rows)
        vectors = np.frombuffer(b"".join(row[9] for row in rows),  # type: ignore[misc]
                                "<f4").reshape(len(rows), VOICEPRINT_DIM)
        needed = self._rows + len(rows)
        if needed > len(self._matrix):
            grown = np.empty((max(needed, 2 * len(self._matrix), 64), VOICEPRINT_DIM), np.float32)
            grown[:self._rows] = self._matrix[:self._rows]
            self._matrix = grown
        self._matrix[self._rows:needed] = vectors
        self._rows = needed
        for row in rows:
            self._entries.append(self._entry(row))
            self._pos[int(row[0])] = len(self._ids)  # type: ignore[call-overload]
            self._ids.append(int(row[0]))  # type: ignore[call-overload]
        self._last_id = self._ids[-1]

    def _entry(self, row: Sequence[object]) -> VoiceprintEntry:
        holder = str(row[1])
        if self._key is None and is_pseudonym(holder):
            raise VoiceprintKeyError(
                "the database holds voiceprints but no pseudonym key is here: restore"
                " HUIFANG_VOICEPRINT_KEY_FILE (the same key on every node)")
        self._pseudonyms.check(holder)
        return VoiceprintEntry(holder, str(row[2]), str(row[3]), str(row[4]), str(row[5]),
                               str(row[6]), str(row[7]), str(row[8]))
