"""`huifang users add|list|deactivate|reactivate|role|reset-password|revoke-sessions`: the web
users' lifecycle, each change in the audit trail; passwords from a prompt or stdin."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huifang.commands.common import EXIT_BAD_INPUT, Subparsers, report_error
from huifang.commands.database_option import EXIT_DATABASE, add_db_option, open_db
from huifang.commands.operator import add_by_option, operator
from huifang.web.user_accounts import (
    add_user,
    all_users,
    change_role,
    existing_user,
    reset_password,
    revoke_sessions,
    set_active,
)
from storage.audit import Actor
from storage.models import User, UserRole

_ROLES = [role.value for role in UserRole]
Change = Callable[[Session, User, Actor, argparse.Namespace], str]


def register(sub: Subparsers) -> None:
    """Add the `users` sub-command and its actions."""
    parser = sub.add_parser("users", help="web users: add, list, deactivate, change role …")
    actions = parser.add_subparsers(dest="users_action", required=True, metavar="ACTION")
    add = actions.add_parser(
        "add", help="add a web user (password: prompted, or one line on stdin when piped)"
    )
    add.add_argument("name", help="user name for signing in")
    add.add_argument("--role", required=True, choices=_ROLES)
    _common(add, run_add)
    listing = actions.add_parser("list", help="every user: name, role, active (no passwords)")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    add_db_option(listing)
    listing.set_defaults(run=run_list)
    for name, help_text, change in [
        ("deactivate", "stop a user signing in; their sessions end at once", _deactivate),
        ("reactivate", "let a deactivated user sign in again", _reactivate),
        ("reset-password", "set a new password (prompted or stdin); sessions end", _reset),
        ("revoke-sessions", "end every session of a user (they sign in again)", _revoke),
    ]:  # fmt: skip
        action = actions.add_parser(name, help=help_text)
        action.add_argument("name", help="user name")
        _common(action, _runner(change))
    role = actions.add_parser("role", help="give a user another role; their sessions end")
    role.add_argument("name", help="user name")
    role.add_argument("role", choices=_ROLES)
    _common(role, _runner(_change_role))


def _common(parser: argparse.ArgumentParser, run: Callable[[argparse.Namespace], int]) -> None:
    add_by_option(parser)
    add_db_option(parser)
    parser.set_defaults(run=run)


def run_add(args: argparse.Namespace) -> int:
    """Add the user; exit 2 for a taken name or a weak password."""
    password = _read_password()
    return _in_session(args, lambda session, actor: _add(session, actor, args, password))


def run_list(args: argparse.Namespace) -> int:
    """Print the users as a table or JSON lines."""
    db = open_db(args)
    if db is None:
        return EXIT_DATABASE
    try:
        with db.session() as session:
            for user in all_users(session):
                fields = {"name": user.username, "role": user.role.value, "active": user.active,
                          "created_at": user.created_at.isoformat()}  # fmt: skip
                if args.json:
                    print(json.dumps(fields, ensure_ascii=False))
                else:
                    state = "active" if user.active else "deactivated"
                    print(f"{user.username}\t{user.role.value}\t{state}")
    finally:
        db.close()
    return 0


def _runner(change: Change) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        password = _read_password() if change is _reset else ""
        args.password = password

        def apply(session: Session, actor: Actor) -> str:
            return change(session, existing_user(session, args.name), actor, args)

        return _in_session(args, apply)

    return run


def _in_session(args: argparse.Namespace, work: Callable[[Session, Actor], str]) -> int:
    """Run one change in a transaction; print what was done, or one error line and exit 2."""
    db = open_db(args)
    if db is None:
        return EXIT_DATABASE
    try:
        with db.session() as session:
            done = work(session, operator(session, args.by))
    except ValueError as err:
        report_error(f"user {args.name}", str(err))
        return EXIT_BAD_INPUT
    finally:
        db.close()
    print(done)
    return 0


def _add(session: Session, actor: Actor, args: argparse.Namespace, password: str) -> str:
    user = add_user(session, args.name, UserRole(args.role), password, actor)
    return f"user {user.username} added as {user.role.value}"


def _deactivate(session: Session, user: User, actor: Actor, _args: argparse.Namespace) -> str:
    _keep_an_admin(session, user)
    set_active(session, user, False, actor)
    return f"user {user.username} deactivated; their sessions ended"


def _reactivate(session: Session, user: User, actor: Actor, _args: argparse.Namespace) -> str:
    set_active(session, user, True, actor)
    return f"user {user.username} reactivated"


def _reset(session: Session, user: User, actor: Actor, args: argparse.Namespace) -> str:
    reset_password(session, user, args.password, actor)
    return f"password of {user.username} reset; their sessions ended"


def _revoke(session: Session, user: User, actor: Actor, _args: argparse.Namespace) -> str:
    revoke_sessions(session, user, actor)
    return f"sessions of {user.username} ended"


def _change_role(session: Session, user: User, actor: Actor, args: argparse.Namespace) -> str:
    if user.role is not UserRole(args.role):
        _keep_an_admin(session, user)
    change_role(session, user, UserRole(args.role), actor)
    return f"user {user.username} is now {args.role}; their sessions ended"


def _keep_an_admin(session: Session, user: User) -> None:
    """Refuse to take away the last active admin: nobody could manage users any more."""
    if user.role is not UserRole.ADMIN or not user.active:
        return
    admins = session.scalar(
        select(func.count()).select_from(User).where(User.role == UserRole.ADMIN, User.active)
    )
    if admins == 1:
        raise ValueError("this is the last active admin: add another admin first")


def _read_password() -> str:
    """A typed password (asked twice) at a terminal, else the first line of stdin."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise SystemExit("huifang: error: the two passwords differ")
    return first
