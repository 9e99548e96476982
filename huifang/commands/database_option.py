"""The --db-url option the database commands share, and opening the database it names."""

from __future__ import annotations

import argparse

from huifang.commands.common import report_error
from huifang.settings import get_settings
from storage.database import Database, open_database
from storage.errors import StorageError

# Exit status when the database cannot be opened or migrated (not the input's fault).
EXIT_DATABASE = 1


def add_db_option(parser: argparse.ArgumentParser) -> None:
    """Add --db-url, defaulting to HUIFANG_DB_URL."""
    parser.add_argument(
        "--db-url", default=None, help="SQLAlchemy database URL (default: HUIFANG_DB_URL)"
    )


def db_url(args: argparse.Namespace) -> str:
    """The URL the command was given, else the setting."""
    url: str | None = args.db_url
    return url or get_settings().db_url


def open_db(args: argparse.Namespace) -> Database | None:
    """The database, migrated to the newest schema; None after reporting why it could not."""
    try:
        return open_database(db_url(args), node=get_settings().node_name)
    except StorageError as err:
        report_error("database", str(err))
        return None
