"""Who owns an open call (node, pid, process start), so a dead process's calls are settled

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("owner_node", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("owner_pid", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("owner_started", sa.String(length=24), nullable=True))
        batch.create_index("ix_calls_open", ["ended_at", "owner_node"])


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("calls") as batch:
        batch.drop_index("ix_calls_open")
        batch.drop_column("owner_started")
        batch.drop_column("owner_pid")
        batch.drop_column("owner_node")
