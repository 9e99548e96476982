"""Review workflow: dispositions, problem-case handling, audit trail

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_CASE_CLASSES = ("口头误导-故意", "口头误导-无意", "书面误导", "流程违规", "身份存疑")

# The audit trail refuses changes in the database too, whoever connects (psql, a script).
_SQLITE_GUARDS = [
    """CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
       BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END""",
    """CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
       BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END""",
]
_POSTGRES_GUARDS = [
    """CREATE FUNCTION audit_entries_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'audit_entries is append-only: % refused', TG_OP; END $$""",
    """CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
       FOR EACH ROW EXECUTE FUNCTION audit_entries_refuse()""",
]
# TRUNCATE is left to the tables' owner (test fixtures empty every table with it); like
# DROP TRIGGER, it needs the owner's rights, which the web and callback roles need not have.


def _case_class() -> sa.Enum:
    return sa.Enum(*_CASE_CLASSES, name="caseclass", native_enum=False, length=16)


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "flag_dispositions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("flag_id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column(
            "decision",
            sa.Enum("confirmed", "dismissed", name="decision", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("classification", _case_class(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("problem_case_id", sa.Integer(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["flag_id"], ["call_flags.id"], name=op.f("fk_flag_dispositions_flag_id_call_flags")
        ),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_flag_dispositions_call_id_calls")
        ),
        sa.ForeignKeyConstraint(
            ["problem_case_id"], ["problem_cases.id"],
            name=op.f("fk_flag_dispositions_problem_case_id_problem_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_flag_dispositions_decided_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flag_dispositions")),
        sa.UniqueConstraint("flag_id", name=op.f("uq_flag_dispositions_flag_id")),
    )
    op.create_index(
        op.f("ix_flag_dispositions_call_id"), "flag_dispositions", ["call_id"], unique=False
    )
    op.create_table(
        "case_handling",
        sa.Column("problem_case_id", sa.Integer(), nullable=False),
        sa.Column("classification", _case_class(), nullable=False),
        sa.Column("handler_id", sa.Integer(), nullable=False),
        sa.Column("assigned_by", sa.Integer(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("overdue_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("resolved_by", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["problem_case_id"], ["problem_cases.id"], ondelete="CASCADE",
            name=op.f("fk_case_handling_problem_case_id_problem_cases"),
        ),
        sa.ForeignKeyConstraint(
            ["handler_id"], ["users.id"], name=op.f("fk_case_handling_handler_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["assigned_by"], ["users.id"], name=op.f("fk_case_handling_assigned_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by"], ["users.id"], name=op.f("fk_case_handling_resolved_by_users")
        ),
        sa.PrimaryKeyConstraint("problem_case_id", name=op.f("pk_case_handling")),
    )
    op.create_index(op.f("ix_case_handling_handler_id"), "case_handling", ["handler_id"])
    op.create_index(op.f("ix_case_handling_deadline"), "case_handling", ["deadline"])
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=50), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_audit_entries_actor_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    op.create_index(op.f("ix_audit_entries_at"), "audit_entries", ["at"])
    op.create_index("ix_audit_entries_entity", "audit_entries", ["entity", "entity_id"])
    dialect = op.get_bind().dialect.name
    for statement in _POSTGRES_GUARDS if dialect == "postgresql" else _SQLITE_GUARDS:
        op.execute(statement)


def downgrade() -> None:
    """Revert this revision."""
    # Dropping the table drops its triggers; the PostgreSQL function goes after it.
    op.drop_index("ix_audit_entries_entity", table_name="audit_entries")
    op.drop_index(op.f("ix_audit_entries_at"), table_name="audit_entries")
    op.drop_table("audit_entries")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION audit_entries_refuse()")
    op.drop_index(op.f("ix_case_handling_deadline"), table_name="case_handling")
    op.drop_index(op.f("ix_case_handling_handler_id"), table_name="case_handling")
    op.drop_table("case_handling")
    op.drop_index(op.f("ix_flag_dispositions_call_id"), table_name="flag_dispositions")
    op.drop_table("flag_dispositions")
