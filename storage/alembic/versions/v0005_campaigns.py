"""Pre-callback campaigns: attempts, schedule state, do-not-call list

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_OUTCOMES = ("success", "problem_case", "wants_human", "no_answer", "busy", "invalid_number",
             "hung_up", "refused", "failed")
_IN_PROGRESS = sa.text("status = 'in_progress'")


def _text_enum(*values: str, name: str, length: int) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, length=length)


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "campaign_policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("state", _text_enum("pending", "in_progress", "done", "letter_or_visit",
                                      name="campaignstate", length=16), nullable=False),
        sa.Column("final_outcome", _text_enum(*_OUTCOMES, name="attemptoutcome", length=16),
                  nullable=True),
        sa.Column("closing_reason", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["policy_id"], ["policies.id"],
                                name=op.f("fk_campaign_policies_policy_id_policies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_policies")),
        sa.UniqueConstraint("policy_id", name=op.f("uq_campaign_policies_policy_id")),
    )
    op.create_index("ix_campaign_policies_state_next", "campaign_policies",
                    ["state", "next_attempt_at"], unique=False)
    op.create_table(
        "campaign_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_policy_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("sip_uri", sa.String(length=255), nullable=False),
        sa.Column("status", _text_enum("in_progress", "finished", name="attemptstatus",
                                       length=16), nullable=False),
        sa.Column("worker", sa.String(length=100), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dialled", sa.Boolean(), nullable=False),
        sa.Column("outcome", _text_enum(*_OUTCOMES, name="attemptoutcome", length=16),
                  nullable=True),
        sa.Column("detail", sa.String(length=200), nullable=True),
        sa.Column("call_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"],
                                name=op.f("fk_campaign_attempts_call_id_calls")),
        sa.ForeignKeyConstraint(
            ["campaign_policy_id"], ["campaign_policies.id"],
            name=op.f("fk_campaign_attempts_campaign_policy_id_campaign_policies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_attempts")),
        sa.UniqueConstraint("campaign_policy_id", "seq",
                            name=op.f("uq_campaign_attempts_campaign_policy_id_seq")),
    )
    op.create_index(op.f("ix_campaign_attempts_call_id"), "campaign_attempts", ["call_id"],
                    unique=False)
    op.create_index("ix_campaign_attempts_status_lease", "campaign_attempts",
                    ["status", "lease_until"], unique=False)
    op.create_index("uq_campaign_attempts_dialling_phone", "campaign_attempts", ["phone"],
                    unique=True, sqlite_where=_IN_PROGRESS, postgresql_where=_IN_PROGRESS)
    op.create_index("uq_campaign_attempts_dialling_policy", "campaign_attempts",
                    ["campaign_policy_id"], unique=True,
                    sqlite_where=_IN_PROGRESS, postgresql_where=_IN_PROGRESS)
    op.create_table(
        "do_not_call",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_do_not_call")),
        sa.UniqueConstraint("phone", name=op.f("uq_do_not_call_phone")),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("do_not_call")
    op.drop_index("uq_campaign_attempts_dialling_policy", table_name="campaign_attempts")
    op.drop_index("uq_campaign_attempts_dialling_phone", table_name="campaign_attempts")
    op.drop_index("ix_campaign_attempts_status_lease", table_name="campaign_attempts")
    op.drop_index(op.f("ix_campaign_attempts_call_id"), table_name="campaign_attempts")
    op.drop_table("campaign_attempts")
    op.drop_index("ix_campaign_policies_state_next", table_name="campaign_policies")
    op.drop_table("campaign_policies")
