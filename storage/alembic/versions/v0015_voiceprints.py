"""Voiceprints in the shared database, so every node searches the same ones (issue 19)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "voiceprints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("policy_no", sa.String(length=32), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("leg", sa.String(length=16), nullable=False),
        sa.Column("salesperson", sa.String(length=50), nullable=False),
        sa.Column("team", sa.String(length=50), nullable=False),
        sa.Column("outlet", sa.String(length=100), nullable=False),
        sa.Column("branch", sa.String(length=50), nullable=False),
        sa.Column("embedding", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"], ondelete="CASCADE",
                                name=op.f("fk_voiceprints_call_id_calls")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voiceprints")),
        sqlite_autoincrement=True,  # ids never reused: the nodes' caches follow them
    )
    op.create_index(op.f("ix_voiceprints_call_id"), "voiceprints", ["call_id"])
    op.create_index(op.f("ix_voiceprints_holder"), "voiceprints", ["holder"])
    op.create_index(op.f("ix_voiceprints_policy_no"), "voiceprints", ["policy_no"])
    op.create_table(
        "voiceprint_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deletions", sa.Integer(), nullable=False),
        sa.Column("additions", sa.Integer(), nullable=False),
        sa.Column("pruned_through", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voiceprint_state")),
    )
    op.execute("INSERT INTO voiceprint_state (id, deletions, additions, pruned_through)"
               " VALUES (1, 0, 0, 0)")
    op.create_table(
        "voiceprint_deletions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("voiceprint_id", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_voiceprint_deletions")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_voiceprint_deletions_deleted_at"), "voiceprint_deletions",
                    ["deleted_at"])


def downgrade() -> None:
    """Revert this revision (the stored voiceprints are lost)."""
    op.drop_index(op.f("ix_voiceprint_deletions_deleted_at"), table_name="voiceprint_deletions")
    op.drop_table("voiceprint_deletions")
    op.drop_table("voiceprint_state")
    op.drop_index(op.f("ix_voiceprints_policy_no"), table_name="voiceprints")
    op.drop_index(op.f("ix_voiceprints_holder"), table_name="voiceprints")
    op.drop_index(op.f("ix_voiceprints_call_id"), table_name="voiceprints")
    op.drop_table("voiceprints")
