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
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from storage.errors import StorageError
from storage.migrations import upgrade_to_head
from storage.ownership import CallOwner
from zhtext.private_files import make_private, private_dir, write_private


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
    except DBAPIError as err:  # unreachable, refused, or options the driver rejects
        engine.dispose()
        problem = f"cannot open database {_safe(url)}: {reason(err)}"
        raise StorageError("unreachable", problem) from err
    return Database(engine, sessionmaker(engine, expire_on_commit=False),
                    CallOwner.this_process(node))


def make_engine(url: str, *, create: bool = True) -> Engine:
    """An engine for the URL; SQLite gets its folder made (private) and foreign keys switched
    on. `create=False`: a SQLite file that is not there is an error, not a new database."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as err:  # ValueError: a port that is no number
        raise StorageError("bad_url", f"not a database URL: {_redacted(url)}") from err
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            path = Path(parsed.database)
            if not create and not path.exists():
                raise StorageError("missing", f"no database at {path}")
            private_dir(path.parent, narrow=False)
            if not path.exists():
                write_private(path, b"")  # an empty file is an empty SQLite database
            make_private(path)  # its -wal and -shm files take this mode from it
        engine = create_engine(parsed)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        return create_engine(parsed, pool_pre_ping=True)
    except ModuleNotFoundError as err:
        raise StorageError("no_driver", f"no driver for {parsed.drivername}: {err}") from err
    except (ArgumentError, ValueError, TypeError) as err:  # options the driver cannot take
        raise StorageError("bad_url", f"not a usable database URL: {_safe(url)}: {err}") from err


def reason(err: DBAPIError) -> str:
    """The driver's complaint on one line (their hints span lines)."""
    return " ".join(str(err.orig).split())


def _redacted(url: str) -> str:
    """An unparsable URL with anything that may be a password hidden; without a scheme
    nothing of it is shown (the whole text may be a secret)."""
    if "://" not in url:
        return "it needs a scheme, e.g. sqlite:///var/huifang.db or postgresql+psycopg://…"
    scheme, rest = url.split("://", 1)
    if "@" in rest:
        credentials, host = rest.rsplit("@", 1)
        rest = f"{credentials.split(':', 1)[0]}:***@{host}" if ":" in credentials else rest
    return f"{scheme}://{rest}"


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
