"""Special-attention list (特别关注) and policy phone changes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision (reserved: its tables are being built)."""


def downgrade() -> None:
    """Revert this revision."""
