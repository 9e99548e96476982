"""`huifang db upgrade|status`: the database schema (Alembic revisions in storage/)."""

from __future__ import annotations

import argparse

from sqlalchemy.exc import DBAPIError

from huifang.commands.common import Subparsers, report_error
from huifang.commands.database_option import EXIT_DATABASE, add_db_option, db_url, open_db
from storage.database import make_engine, reason
from storage.errors import StorageError
from storage.migrations import current_revision, head_revision


def register(sub: Subparsers) -> None:
    """Add the `db` sub-command and its actions."""
    parser = sub.add_parser("db", help="database schema: upgrade, status")
    actions = parser.add_subparsers(dest="db_action", required=True, metavar="ACTION")
    upgrade = actions.add_parser("upgrade", help="migrate the schema to the newest revision")
    add_db_option(upgrade)
    upgrade.set_defaults(run=run_upgrade)
    status = actions.add_parser("status", help="print the schema revision, without changing it")
    add_db_option(status)
    status.set_defaults(run=run_status)


def run_upgrade(args: argparse.Namespace) -> int:
    """Migrate to head (as every database command does first) and say where it stands."""
    db = open_db(args)
    if db is None:
        return EXIT_DATABASE
    try:
        print(f"database at revision {current_revision(db.engine)}")
    finally:
        db.close()
    return 0


def run_status(args: argparse.Namespace) -> int:
    """Print the database's revision and the code's; exit 1 when they differ."""
    try:
        engine = make_engine(db_url(args), create=False)  # status never makes a database
        try:
            current = current_revision(engine)
        finally:
            engine.dispose()
    except StorageError as err:
        report_error("database", str(err))
        return EXIT_DATABASE
    except DBAPIError as err:
        report_error("database", f"cannot open database: {reason(err)}")
        return EXIT_DATABASE
    head = head_revision()
    print(f"database revision {current or 'none (empty)'}, code revision {head}")
    return 0 if current == head else EXIT_DATABASE
