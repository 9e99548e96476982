"""Review workflow: dispositions, problem-case handling, audit trail

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from __future__ import annotations

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision (reserved: its tables are being built)."""


def downgrade() -> None:
    """Revert this revision."""
