"""The demo's database: a fresh SQLite file under var/, the demo policy and three logins."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from huifang.demo.conversation import DEMO_POLICIES
from huifang.web.passwords import check_new_password
from huifang.web.user_accounts import add_user
from storage.database import Database, open_database
from storage.models import UserRole
from storage.policy_import import import_policy_file

DEMO_USERS = (("demo-agent", UserRole.AGENT), ("demo-reviewer", UserRole.REVIEWER),
              ("demo-supervisor", UserRole.SUPERVISOR))


@dataclass(frozen=True)
class DemoLogin:
    """A user the demo created, with the password it chose."""

    username: str
    role: UserRole
    password: str
    user_id: int


def fresh_database(path: Path) -> Database:
    """An empty, migrated SQLite database at `path` (an earlier demo's file is replaced)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    return open_database(f"sqlite:///{path}")


def seed(database: Database) -> list[DemoLogin]:
    """Import the demo policy and add the demo users, each with a new random password."""
    import_policy_file(database, DEMO_POLICIES)
    logins = []
    with database.session() as session:
        for username, role in DEMO_USERS:
            password = _new_password()
            user = add_user(session, username, role, password)
            logins.append(DemoLogin(username, role, password, user.id))
    return logins


def _new_password() -> str:
    """A random password the password policy takes (letters and digits, 16 characters)."""
    while True:
        password = secrets.token_urlsafe(12)
        try:
            check_new_password(password)
        except ValueError:
            continue
        return password
