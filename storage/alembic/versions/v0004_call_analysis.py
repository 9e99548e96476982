"""Call analysis: flags with evidence, voice cues, voiceprints per call leg

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision (reserved: its tables are being built)."""


def downgrade() -> None:
    """Revert this revision."""
