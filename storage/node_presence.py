"""Which nodes are up, as PostgreSQL sees them: each running node holds a shared advisory lock.

Every process that takes calls holds its node's lock in shared mode on a connection of its
own for as long as it runs; when the last process of a node dies (even by SIGKILL) the server
drops its connections and the lock with them. Another node that can then take the lock
exclusively knows the node is gone as a whole and settles the calls it left open (holding the
lock meanwhile, so a restart of that node waits until the settling is done). SQLite serves
one node: there it does nothing.
"""

from __future__ import annotations

import hashlib
import threading

from sqlalchemy import Connection, select, text

from storage.database import Database
from storage.models import CallRecord
from storage.recovery import SettledCall, node_is_dead, settle_open_calls

_held: dict[tuple[str, str], Connection] = {}  # (database, node) -> the lock's connection
_lock = threading.Lock()


def node_key(node: str) -> int:
    """The node's advisory lock key (a signed 64-bit number)."""
    digest = hashlib.blake2b(f"huifang-node:{node}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _shared(database: Database) -> bool:
    return database.engine.dialect.name == "postgresql"


def hold_presence(database: Database) -> bool:
    """Hold this node's lock (shared) until the process ends; False where nodes are not shared."""
    if not _shared(database):
        return False
    where = (database.engine.url.render_as_string(), database.owner.node)
    with _lock:
        if where in _held:
            return True
        connection = database.engine.connect()
        connection.detach()  # outlives the pool: a dispose() must not drop the lock
        connection.execute(text("SELECT pg_advisory_lock_shared(:key)"),
                           {"key": node_key(database.owner.node)})
        connection.commit()
        _held[where] = connection
    return True


def settle_dead_nodes(database: Database) -> list[SettledCall]:
    """Settle the open calls of every other node none of whose processes runs any more."""
    if not _shared(database):
        return []
    with database.session() as session:
        nodes = set(session.scalars(select(CallRecord.owner_node).where(
            CallRecord.ended_at.is_(None), CallRecord.owner_node.is_not(None),
            CallRecord.owner_node != database.owner.node)))
    settled: list[SettledCall] = []
    for node in sorted(n for n in nodes if n):
        key = {"key": node_key(node)}
        with database.engine.connect() as connection:
            got = connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), key)
            connection.commit()
            if not got:
                continue  # some process of that node still runs
            try:
                settled.extend(settle_open_calls(database, node_is_dead(node), remote=True))
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), key)
                connection.commit()
    return settled
