"""Who runs a command that changes things, as the audit trail names them: `--by NAME`, an
existing huifang user (their id is stored), else the operating-system account."""

from __future__ import annotations

import argparse
import getpass

from sqlalchemy.orm import Session

from huifang.web.user_accounts import existing_user
from storage.audit import Actor
from storage.database import Database


def add_by_option(parser: argparse.ArgumentParser, *, required: bool = False) -> None:
    """Add --by: the huifang user on whose behalf the command runs."""
    parser.add_argument(
        "--by", required=required, metavar="USER",
        help="the huifang user doing this, for the audit trail"
        + ("" if required else " (default: the operating-system account)"),
    )  # fmt: skip


def operator(session: Session, by: str | None) -> Actor:
    """The audit trail's actor; UnknownUserError (a ValueError) for a --by nobody has."""
    if by is None:
        return Actor(None, f"os:{getpass.getuser()}"[:50])
    user = existing_user(session, by)
    if not user.active:
        raise ValueError(f"user {user.username!r} is deactivated and cannot act")
    return Actor(user.id, user.username)


def actor_for(db: Database, by: str | None) -> Actor:
    """operator() in a session of its own, for commands that hand the actor on."""
    with db.session() as session:
        return operator(session, by)
