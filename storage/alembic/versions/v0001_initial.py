"""Policies, calls, item answers with evidence, problem cases

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "policies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy_no", sa.String(length=32), nullable=False),
        sa.Column(
            "family",
            sa.Enum(
                "traditional",
                "participating",
                "universal",
                "unit_linked",
                "health",
                name="productfamily",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("product_name", sa.String(length=100), nullable=False),
        sa.Column("holder_name", sa.String(length=50), nullable=False),
        sa.Column(
            "holder_gender",
            sa.Enum("male", "female", name="gender", native_enum=False, length=8),
            nullable=False,
        ),
        sa.Column("holder_birth_date", sa.Date(), nullable=False),
        sa.Column("holder_id_last4", sa.String(length=4), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("insured_name", sa.String(length=50), nullable=False),
        sa.Column("premium_yuan", sa.Integer(), nullable=False),
        sa.Column("payment_years", sa.Integer(), nullable=False),
        sa.Column("payment_frequency", sa.String(length=8), nullable=False),
        sa.Column("sign_date", sa.Date(), nullable=False),
        sa.Column("receipt_date", sa.Date(), nullable=False),
        sa.Column("cooling_off_days", sa.Integer(), nullable=False),
        sa.Column("cooling_off_deadline", sa.Date(), nullable=False),
        sa.Column("salesperson", sa.String(length=50), nullable=False),
        sa.Column("team", sa.String(length=50), nullable=False),
        sa.Column("outlet", sa.String(length=100), nullable=False),
        sa.Column("branch", sa.String(length=50), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policies")),
        sa.UniqueConstraint("policy_no", name=op.f("uq_policies_policy_no")),
    )
    with op.batch_alter_table("policies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_policies_cooling_off_deadline"), ["cooling_off_deadline"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_policies_phone"), ["phone"], unique=False)

    op.create_table(
        "calls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=True),
        sa.Column(
            "direction",
            sa.Enum("outbound", "inbound", name="calldirection", native_enum=False),
            nullable=False,
        ),
        sa.Column("sip_uri", sa.String(length=255), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("dialogue_outcome", sa.String(length=32), nullable=True),
        sa.Column("recording_path", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policies.id"], name=op.f("fk_calls_policy_id_policies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calls")),
    )
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calls_policy_id"), ["policy_id"], unique=False)

    op.create_table(
        "item_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("step_id", sa.String(length=64), nullable=False),
        sa.Column("item", sa.Integer(), nullable=True),
        sa.Column(
            "verdict",
            sa.Enum("confirmed", "problem", name="verdict", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("problem_kind", sa.String(length=32), nullable=True),
        sa.Column("topic", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["call_id"],
            ["calls.id"],
            name=op.f("fk_item_answers_call_id_calls"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_answers")),
        sa.UniqueConstraint("call_id", "step_id", name=op.f("uq_item_answers_call_id_step_id")),
    )
    op.create_table(
        "answer_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_answer_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("start_ms", sa.Integer(), nullable=False),
        sa.Column("end_ms", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("answer_class", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_answer_id"],
            ["item_answers.id"],
            name=op.f("fk_answer_evidence_item_answer_id_item_answers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_evidence")),
        sa.UniqueConstraint(
            "item_answer_id", "seq", name=op.f("uq_answer_evidence_item_answer_id_seq")
        ),
    )
    op.create_table(
        "problem_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=True),
        sa.Column("item_answer_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "closed", name="casestatus", native_enum=False, length=8),
            nullable=False,
        ),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_problem_cases_call_id_calls")
        ),
        sa.ForeignKeyConstraint(
            ["item_answer_id"],
            ["item_answers.id"],
            name=op.f("fk_problem_cases_item_answer_id_item_answers"),
        ),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["policies.id"], name=op.f("fk_problem_cases_policy_id_policies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problem_cases")),
    )
    with op.batch_alter_table("problem_cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_problem_cases_policy_id"), ["policy_id"], unique=False)
        batch_op.create_index(
            "ix_problem_cases_status_opened", ["status", "opened_at"], unique=False
        )


def downgrade() -> None:
    """Undo this revision."""
    with op.batch_alter_table("problem_cases", schema=None) as batch_op:
        batch_op.drop_index("ix_problem_cases_status_opened")
        batch_op.drop_index(batch_op.f("ix_problem_cases_policy_id"))

    op.drop_table("problem_cases")
    op.drop_table("answer_evidence")
    op.drop_table("item_answers")
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calls_policy_id"))

    op.drop_table("calls")
    with op.batch_alter_table("policies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policies_phone"))
        batch_op.drop_index(batch_op.f("ix_policies_cooling_off_deadline"))

    op.drop_table("policies")
