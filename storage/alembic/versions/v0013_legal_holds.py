"""Legal holds: a policy or a call kept from any purge while held (retention, issue 16)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "legal_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=True),
        sa.Column("call_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("set_by", sa.String(length=50), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cleared_by", sa.String(length=50), nullable=True),
        sa.Column("cleared_by_id", sa.Integer(), nullable=True),
        sa.Column("clear_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"],
                                name=op.f("fk_legal_holds_call_id_calls")),
        sa.ForeignKeyConstraint(["cleared_by_id"], ["users.id"],
                                name=op.f("fk_legal_holds_cleared_by_id_users")),
        sa.ForeignKeyConstraint(["policy_id"], ["policies.id"],
                                name=op.f("fk_legal_holds_policy_id_policies")),
        sa.ForeignKeyConstraint(["set_by_id"], ["users.id"],
                                name=op.f("fk_legal_holds_set_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_holds")),
    )
    op.create_index("ix_legal_holds_active", "legal_holds",
                    ["cleared_at", "policy_id", "call_id"])
    op.create_index(op.f("ix_legal_holds_call_id"), "legal_holds", ["call_id"])
    op.create_index(op.f("ix_legal_holds_policy_id"), "legal_holds", ["policy_id"])


def downgrade() -> None:
    """Revert this revision (the holds' history is lost)."""
    op.drop_index(op.f("ix_legal_holds_policy_id"), table_name="legal_holds")
    op.drop_index(op.f("ix_legal_holds_call_id"), table_name="legal_holds")
    op.drop_index("ix_legal_holds_active", table_name="legal_holds")
    op.drop_table("legal_holds")
