"""Opening the database: engine, sessions, and the schema brought up to date first."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic.util import CommandError
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from storage.errors import StorageError
from storage.migrations import upgrade_to_head
from storage.ownership import CallOwner


@dataclass(frozen=True)
class Database:
    """An open database: its engine and a factory of sessions."""

    engine: Engine
    sessions: sessionmaker[Session]
    # The process using it, stamped on the calls it starts (storage.ownership).
    owner: CallOwner = field(default_factory=CallOwner.this_process)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on any error."""
        with self.sessions.begin() as session:
            yield session

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()


def open_database(url: str, *, upgrade: bool = True, node: str = "") -> Database:
    """Connect to `url` and (by default) migrate the schema to the newest revision.

    Upgrading on open, rather than refusing an old schema, suits an on-premise service whose
    operator runs one command after an update; `huifang db upgrade` does it explicitly.
    """
    engine = make_engine(url)
    try:
        if upgrade:
            upgrade_to_head(engine)
    except CommandError as err:
        engine.dispose()
        raise StorageError(
            "unknown_revision",
            f"database {_safe(url)} has a schema this huifang does not know ({err}): "
            "is a newer huifang using it?",
        ) from err
    except OperationalError as err:
        engine.dispose()
        reason = " ".join(str(err.orig).split())  # drivers' hints span lines; keep one
        raise StorageError("unreachable", f"cannot open database {_safe(url)}: {reason}") from err
    return Database(engine, sessionmaker(engine, expire_on_commit=False),
                    CallOwner.this_process(node))


def make_engine(url: str) -> Engine:
    """An engine for the URL; SQLite gets its folder made and foreign keys switched on."""
    try:
        parsed = make_url(url)
    except ArgumentError as err:
        raise StorageError("bad_url", f"not a database URL: {url!r}") from err
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        return create_engine(parsed, pool_pre_ping=True)
    except ModuleNotFoundError as err:
        raise StorageError("no_driver", f"no driver for {parsed.drivername}: {err}") from err


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    """SQLite ignores foreign keys unless asked, per connection; WAL lets readers run on."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _safe(url: str) -> str:
    """The URL with its password hidden, fit for an error message."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<bad url>"
