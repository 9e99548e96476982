"""Every check on every call: the checks a call did not run, phone cues stored as policy
flags with the policies they link, and the problem-case clock kept on the case itself
(reminder and overdue marks whether or not the case has a handler)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("calls") as batch:
        batch.add_column(sa.Column("checks_skipped", sa.JSON(), nullable=True))
    with op.batch_alter_table("policy_flags") as batch:
        batch.add_column(sa.Column("cue", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("severity", sa.String(length=8), nullable=True))
    op.create_table(
        "policy_flag_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("flag_id", sa.Integer(), nullable=False),
        sa.Column("policy_no", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["flag_id"], ["policy_flags.id"],
            name=op.f("fk_policy_flag_links_flag_id_policy_flags"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_flag_links")),
        sa.UniqueConstraint("flag_id", "policy_no",
                            name=op.f("uq_policy_flag_links_flag_id_policy_no")),
    )
    op.create_index(op.f("ix_policy_flag_links_policy_no"), "policy_flag_links", ["policy_no"])
    with op.batch_alter_table("problem_cases") as batch:
        batch.add_column(sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("overdue_at", sa.DateTime(timezone=True), nullable=True))
    for column in ("reminded_at", "overdue_at"):
        op.execute(
            f"UPDATE problem_cases SET {column} = (SELECT case_handling.{column} "
            "FROM case_handling WHERE case_handling.problem_case_id = problem_cases.id)"
        )
    with op.batch_alter_table("case_handling") as batch:
        batch.drop_column("reminded_at")
        batch.drop_column("overdue_at")


def downgrade() -> None:
    """Revert this revision (marks of unassigned cases are lost: they had nowhere to go)."""
    with op.batch_alter_table("case_handling") as batch:
        batch.add_column(sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("overdue_at", sa.DateTime(timezone=True), nullable=True))
    for column in ("reminded_at", "overdue_at"):
        op.execute(
            f"UPDATE case_handling SET {column} = (SELECT problem_cases.{column} "
            "FROM problem_cases WHERE problem_cases.id = case_handling.problem_case_id)"
        )
    with op.batch_alter_table("problem_cases") as batch:
        batch.drop_column("overdue_at")
        batch.drop_column("reminded_at")
    op.drop_index(op.f("ix_policy_flag_links_policy_no"), table_name="policy_flag_links")
    op.drop_table("policy_flag_links")
    with op.batch_alter_table("policy_flags") as batch:
        batch.drop_column("severity")
        batch.drop_column("cue")
    with op.batch_alter_table("calls") as batch:
        batch.drop_column("checks_skipped")
