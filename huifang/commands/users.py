"""`huifang users add NAME --role R`: a web user; the password from stdin or a prompt."""

from __future__ import annotations

import argparse
import getpass
import sys

from huifang.commands.common import EXIT_BAD_INPUT, Subparsers, report_error
from huifang.commands.database_option import EXIT_DATABASE, add_db_option, open_db
from huifang.web.user_accounts import add_user
from storage.models import UserRole


def register(sub: Subparsers) -> None:
    """Add the `users` sub-command and its actions."""
    parser = sub.add_parser("users", help="web users: add")
    actions = parser.add_subparsers(dest="users_action", required=True, metavar="ACTION")
    add = actions.add_parser(
        "add", help="add a web user (password: prompted, or one line on stdin when piped)"
    )
    add.add_argument("name", help="user name for signing in")
    add.add_argument("--role", required=True, choices=[role.value for role in UserRole])
    add_db_option(add)
    add.set_defaults(run=run_add)


def run_add(args: argparse.Namespace) -> int:
    """Add the user; exit 2 for a taken name or a weak password."""
    password = _read_password()
    db = open_db(args)
    if db is None:
        return EXIT_DATABASE
    try:
        with db.session() as session:
            user = add_user(session, args.name, UserRole(args.role), password)
            print(f"user {user.username} added as {user.role.value}")
    except ValueError as err:
        report_error(f"user {args.name}", str(err))
        return EXIT_BAD_INPUT
    finally:
        db.close()
    return 0


def _read_password() -> str:
    """A typed password (asked twice) at a terminal, else the first line of stdin."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise SystemExit("huifang: error: the two passwords differ")
    return first
