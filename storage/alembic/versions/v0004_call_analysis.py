"""Call analysis: flags with evidence, voice cues, voiceprints per call leg

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _text_enum(*values: str, name: str, length: int) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=length)


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "call_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            _text_enum(
                "misleading_sale", "whole_call", "voice_cue", "duplicate_voice", "phone_cue",
                "special_attention", name="flagkind", length=24,
            ),
            nullable=False,
        ),
        sa.Column("rule_id", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("subcategory", sa.String(length=32), nullable=False),
        sa.Column(
            "severity", _text_enum("low", "medium", "high", name="severity", length=8),
            nullable=False,
        ),
        sa.Column("leg", _text_enum("customer", "agent", name="leg", length=16), nullable=True),
        sa.Column("utterance", sa.Text(), nullable=False),
        sa.Column("start_ms", sa.Integer(), nullable=True),
        sa.Column("end_ms", sa.Integer(), nullable=True),
        sa.Column("span_start", sa.Integer(), nullable=True),
        sa.Column("span_end", sa.Integer(), nullable=True),
        sa.Column("matched", sa.Text(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("suggested_wording", sa.Text(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("attributed", sa.Boolean(), nullable=False),
        sa.Column("via_pinyin", sa.Boolean(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_call_flags_call_id_calls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_flags")),
    )
    with op.batch_alter_table("call_flags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_flags_call_id"), ["call_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_call_flags_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_call_flags_raised_at"), ["raised_at"], unique=False)
        batch_op.create_index(
            "ix_call_flags_kind_severity_raised_at", ["kind", "severity", "raised_at"],
            unique=False,
        )
    op.create_table(
        "call_flag_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("flag_id", sa.Integer(), nullable=False),
        sa.Column("policy_no", sa.String(length=32), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["flag_id"], ["call_flags.id"], name=op.f("fk_call_flag_policies_flag_id_call_flags"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_flag_policies")),
        sa.UniqueConstraint(
            "flag_id", "policy_no", name=op.f("uq_call_flag_policies_flag_id_policy_no")
        ),
    )
    with op.batch_alter_table("call_flag_policies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_call_flag_policies_policy_no"), ["policy_no"], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("call_flag_policies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_flag_policies_policy_no"))
    op.drop_table("call_flag_policies")
    with op.batch_alter_table("call_flags", schema=None) as batch_op:
        batch_op.drop_index("ix_call_flags_kind_severity_raised_at")
        batch_op.drop_index(batch_op.f("ix_call_flags_raised_at"))
        batch_op.drop_index(batch_op.f("ix_call_flags_category"))
        batch_op.drop_index(batch_op.f("ix_call_flags_call_id"))
    op.drop_table("call_flags")
