"""A policy's recorded end: the day its contract ended and why, which retention counts from
(issue 16)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_REASONS = ("cooling_off_surrender", "surrender", "maturity", "claim_termination", "other")


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("policies") as batch:
        batch.add_column(sa.Column("ended_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column(
            "end_reason",
            sa.Enum(*_REASONS, name="policyendreason", native_enum=False, length=24),
            nullable=True,
        ))  # fmt: skip


def downgrade() -> None:
    """Revert this revision (recorded ends are lost)."""
    with op.batch_alter_table("policies") as batch:
        batch.drop_column("end_reason")
        batch.drop_column("ended_on")
