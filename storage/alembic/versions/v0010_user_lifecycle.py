"""User lifecycle: sessions revocable from the database, user names in one normal form

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sessions_valid_after", sa.DateTime(timezone=True), nullable=True)
        )
    _normalise_names()


def downgrade() -> None:
    """Revert this revision (names stay in their normal form)."""
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("sessions_valid_after")


def _normalise_names() -> None:
    """Store every user name as sign-in looks it up (huifang.web.user_names, frozen here):
    NFKC, whitespace trimmed and collapsed, case folded. Of two names that become one, the
    older account keeps it and the newer gets `#id` appended (an admin renames it)."""
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("username", sa.String))
    connection = op.get_bind()
    rows = connection.execute(sa.select(users.c.id, users.c.username).order_by(users.c.id))
    taken: set[str] = set()
    renamed: dict[int, str] = {}
    for user_id, name in rows:
        wanted = " ".join(unicodedata.normalize("NFKC", name).split()).casefold()[:50]
        if wanted in taken:
            wanted = f"{wanted[:40]}#{user_id}"
        taken.add(wanted)
        if wanted != name:
            renamed[user_id] = wanted
    # Two steps, so no rename collides with a name another row still holds.
    for user_id in renamed:
        connection.execute(
            users.update().where(users.c.id == user_id).values(username=f"\x01{user_id}")
        )
    for user_id, wanted in renamed.items():
        connection.execute(users.update().where(users.c.id == user_id).values(username=wanted))
