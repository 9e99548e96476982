"""Pre-callback campaigns: attempts, schedule state, do-not-call list

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from __future__ import annotations

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision (reserved: its tables are being built)."""


def downgrade() -> None:
    """Revert this revision."""
