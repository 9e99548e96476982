"""Special-attention list (特别关注) and policy phone changes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_STATUSES = ("reported", "under_observation", "revoked")


def _text_enum(*values: str, name: str, length: int) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=length)


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    """Apply this revision."""
    _create_attention_entries()
    _create_attention_changes()
    _create_policy_flags()
    _create_phone_changes()


def _create_attention_entries() -> None:
    op.create_table(
        "attention_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "subject_kind",
            _text_enum("salesperson", "team", "branch", name="attentionsubject", length=16),
            nullable=False,
        ),
        sa.Column("subject_name", sa.String(length=100), nullable=False),
        sa.Column("within_branch", sa.String(length=50), nullable=False),
        sa.Column(
            "status", _text_enum(*_STATUSES, name="attentionstatus", length=24), nullable=False
        ),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("revoked_on", sa.Date(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attention_entries")),
    )
    with op.batch_alter_table("attention_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attention_entries_status"), ["status"], unique=False)
        batch_op.create_index(
            "ix_attention_entries_subject", ["subject_kind", "subject_name"], unique=False
        )


def _create_attention_changes() -> None:
    op.create_table(
        "attention_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column(
            "from_status", _text_enum(*_STATUSES, name="attentionstatus", length=24), nullable=True
        ),
        sa.Column(
            "to_status", _text_enum(*_STATUSES, name="attentionstatus", length=24), nullable=False
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("changed_by", sa.String(length=50), nullable=False),
        sa.Column("changed_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["attention_entries.id"],
            name=op.f("fk_attention_changes_entry_id_attention_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attention_changes")),
    )
    with op.batch_alter_table("attention_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attention_changes_entry_id"), ["entry_id"], unique=False
        )


def _create_policy_flags() -> None:
    op.create_table(
        "policy_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            _text_enum("special_attention", name="policyflagkind", length=24),
            nullable=False,
        ),
        sa.Column("attention_entry_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("raised_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attention_entry_id"],
            ["attention_entries.id"],
            name=op.f("fk_policy_flags_attention_entry_id_attention_entries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["policies.id"],
            name=op.f("fk_policy_flags_policy_id_policies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_flags")),
        sa.UniqueConstraint(
            "policy_id",
            "kind",
            "attention_entry_id",
            name=op.f("uq_policy_flags_policy_id_kind_attention_entry_id"),
        ),
    )
    with op.batch_alter_table("policy_flags", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_policy_flags_attention_entry_id"), ["attention_entry_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_policy_flags_policy_id"), ["policy_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_policy_flags_raised_at"), ["raised_at"], unique=False)


def _create_phone_changes() -> None:
    op.create_table(
        "phone_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy_no", sa.String(length=32), nullable=False),
        sa.Column("old_phone", sa.String(length=16), nullable=False),
        sa.Column("new_phone", sa.String(length=16), nullable=False),
        sa.Column("changed_at", _utc(), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("imported_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phone_changes")),
        sa.UniqueConstraint(
            "policy_no",
            "changed_at",
            "old_phone",
            "new_phone",
            name=op.f("uq_phone_changes_policy_no_changed_at_old_phone_new_phone"),
        ),
    )
    with op.batch_alter_table("phone_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_phone_changes_new_phone"), ["new_phone"], unique=False)
        batch_op.create_index(batch_op.f("ix_phone_changes_policy_no"), ["policy_no"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("phone_changes")
    op.drop_table("policy_flags")
    op.drop_table("attention_changes")
    op.drop_table("attention_entries")
