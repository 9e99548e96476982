"""The screens' tables: each call's stored transcript per pass, console users' saved filters

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "call_utterances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column(
            "transcript_pass",
            sa.Enum("live", "after_call", name="transcriptpass", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column(
            "leg",
            sa.Enum("customer", "agent", name="leg", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("start_ms", sa.Integer(), nullable=False),
        sa.Column("end_ms", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_call_utterances_call_id_calls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_utterances")),
    )
    op.create_index(
        "ix_call_utterances_call_pass", "call_utterances", ["call_id", "transcript_pass"]
    )
    op.create_table(
        "saved_filters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("page", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("query", sa.String(length=1000), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_saved_filters_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_filters")),
        sa.UniqueConstraint("user_id", "page", "name",
                            name=op.f("uq_saved_filters_user_id_page_name")),
    )
    op.create_index(op.f("ix_saved_filters_user_id"), "saved_filters", ["user_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_index(op.f("ix_saved_filters_user_id"), table_name="saved_filters")
    op.drop_table("saved_filters")
    op.drop_index("ix_call_utterances_call_pass", table_name="call_utterances")
    op.drop_table("call_utterances")
