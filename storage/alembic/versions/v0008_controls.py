"""The centre's controls: policy term, complaints, policy service, promises, letters and
visits, QA samples, dedicated-agent callbacks, special-attention grounds, severity, proposals

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _id() -> sa.Column[Any]:
    return sa.Column("id", sa.Integer(), nullable=False)


def _fk(column: str, table: str, *, nullable: bool, cascade: bool = False) -> sa.Column[Any]:
    target = sa.ForeignKey(f"{table}.id", ondelete="CASCADE" if cascade else None)
    return sa.Column(column, sa.Integer(), target, nullable=nullable)


def _table(name: str, *columns: sa.Column[Any] | sa.UniqueConstraint) -> None:
    op.create_table(name, *columns, sa.PrimaryKeyConstraint("id", name=f"pk_{name}"))


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("policies") as batch:
        batch.add_column(sa.Column("coverage_term", sa.String(16), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("coverage_months", sa.Integer(), nullable=True))
    with op.batch_alter_table("attention_entries") as batch:
        batch.add_column(sa.Column("ground", sa.String(24), nullable=True))
        batch.add_column(sa.Column("severity", sa.String(8), nullable=True))
        batch.add_column(sa.Column("measures", sa.String(120), nullable=False, server_default=""))
        batch.add_column(sa.Column("dedicated_agent_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("restricted_products", sa.String(200), nullable=False,
                                   server_default=""))
        batch.create_foreign_key("fk_attention_entries_dedicated_agent_id_users", "users",
                                 ["dedicated_agent_id"], ["id"])
    with op.batch_alter_table("attention_changes") as batch:
        batch.add_column(sa.Column("basis", sa.String(16), nullable=True))
    _complaints()
    _service()
    _queues()


def _complaints() -> None:
    _table(
        "complaints", _id(),
        _fk("policy_id", "policies", nullable=True), _fk("call_id", "calls", nullable=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("category", sa.String(16), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("stage", sa.String(8), nullable=False),
        sa.Column("received_at", _utc(), nullable=False),
        sa.Column("acknowledge_due", _utc(), nullable=False),
        sa.Column("respond_due", _utc(), nullable=False),
        sa.Column("handle_due", sa.Date(), nullable=False),
        sa.Column("feedback_due", sa.Date(), nullable=True),
        _fk("handler_id", "users", nullable=True),
        sa.Column("acknowledged_at", _utc(), nullable=True),
        sa.Column("responded_at", _utc(), nullable=True),
        sa.Column("handled_at", _utc(), nullable=True),
        sa.Column("fed_back_at", _utc(), nullable=True),
        sa.Column("archived_at", _utc(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("reminded", sa.String(100), nullable=False),
        sa.Column("escalated", sa.String(100), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
    )  # fmt: skip
    for column in ("policy_id", "call_id", "handler_id"):
        op.create_index(f"ix_complaints_{column}", "complaints", [column])
    op.create_index("ix_complaints_stage_received", "complaints", ["stage", "received_at"])
    _table(
        "complaint_steps", _id(),
        _fk("complaint_id", "complaints", nullable=False, cascade=True),
        sa.Column("stage", sa.String(8), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("by", sa.String(50), nullable=False),
        sa.Column("at", _utc(), nullable=False),
    )  # fmt: skip
    op.create_index("ix_complaint_steps_complaint_id", "complaint_steps", ["complaint_id"])


def _service() -> None:
    _table(
        "service_requests", _id(),
        _fk("policy_id", "policies", nullable=False), _fk("call_id", "calls", nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("in_cooling_off", sa.Boolean(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("received_at", _utc(), nullable=False),
        sa.Column("accept_due", sa.Date(), nullable=False),
        sa.Column("material_due", sa.Date(), nullable=False),
        sa.Column("material_requested_at", _utc(), nullable=True),
        sa.Column("accepted_at", _utc(), nullable=True),
        sa.Column("closed_at", _utc(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("handled_by", sa.String(50), nullable=False),
        sa.Column("overdue_at", _utc(), nullable=True),
    )  # fmt: skip
    op.create_index("ix_service_requests_policy_id", "service_requests", ["policy_id"])
    op.create_index("ix_service_requests_status", "service_requests", ["status"])
    _table(
        "customer_promises", _id(),
        _fk("policy_id", "policies", nullable=True),
        _fk("call_id", "calls", nullable=False, cascade=True),
        sa.Column("promise", sa.String(200), nullable=False),
        sa.Column("made_at", _utc(), nullable=False),
        sa.Column("due_at", _utc(), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("kept_at", _utc(), nullable=True),
        sa.Column("kept_by", sa.String(50), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("overdue_at", _utc(), nullable=True),
        sa.UniqueConstraint("call_id", "promise", name="uq_customer_promises_call_id_promise"),
    )  # fmt: skip
    op.create_index("ix_customer_promises_policy_id", "customer_promises", ["policy_id"])
    op.create_index("ix_customer_promises_due_at", "customer_promises", ["due_at"])


def _queues() -> None:
    _table(
        "letter_visits", _id(),
        _fk("policy_id", "policies", nullable=False),
        sa.Column("method", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        _fk("assignee_id", "users", nullable=True),
        sa.Column("visit_on", sa.Date(), nullable=True),
        sa.Column("printed_at", _utc(), nullable=True),
        sa.Column("sent_at", _utc(), nullable=True),
        sa.Column("result", sa.String(16), nullable=True),
        sa.Column("result_note", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(50), nullable=False),
        sa.Column("closed_at", _utc(), nullable=True),
    )  # fmt: skip
    op.create_index("ix_letter_visits_policy_id", "letter_visits", ["policy_id"])
    op.create_index("ix_letter_visits_status", "letter_visits", ["status"])
    _table(
        "qa_samples", _id(),
        _fk("call_id", "calls", nullable=False, cascade=True),
        sa.Column("sample_day", sa.Date(), nullable=False),
        sa.Column("rate", sa.Float(), nullable=False),
        sa.Column("sampled_at", _utc(), nullable=False),
        sa.Column("verdict", sa.String(8), nullable=True),
        sa.Column("miss_category", sa.String(32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        _fk("reviewed_by", "users", nullable=True),
        sa.Column("reviewed_at", _utc(), nullable=True),
        sa.UniqueConstraint("call_id", name="uq_qa_samples_call_id"),
    )  # fmt: skip
    op.create_index("ix_qa_samples_sample_day", "qa_samples", ["sample_day"])
    _table(
        "callback_assignments", _id(),
        _fk("policy_id", "policies", nullable=False),
        _fk("agent_id", "users", nullable=False),
        _fk("entry_id", "attention_entries", nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("assigned_at", _utc(), nullable=False),
        sa.Column("done_at", _utc(), nullable=True),
        _fk("call_id", "calls", nullable=True),
        sa.UniqueConstraint("policy_id", name="uq_callback_assignments_policy_id"),
    )  # fmt: skip
    op.create_index("ix_callback_assignments_agent_status", "callback_assignments",
                    ["agent_id", "status"])  # fmt: skip
    _table(
        "attention_proposals", _id(),
        sa.Column("subject_kind", sa.String(16), nullable=False),
        sa.Column("subject_name", sa.String(100), nullable=False),
        sa.Column("within_branch", sa.String(50), nullable=False),
        sa.Column("ground", sa.String(24), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("proposed_at", _utc(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(50), nullable=False),
        sa.Column("decided_at", _utc(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        _fk("entry_id", "attention_entries", nullable=True),
    )  # fmt: skip
    op.create_index("ix_attention_proposals_subject", "attention_proposals",
                    ["subject_kind", "subject_name", "ground"])  # fmt: skip
    op.create_index("ix_attention_proposals_status", "attention_proposals", ["status"])


def downgrade() -> None:
    """Revert this revision."""
    for table in ("attention_proposals", "callback_assignments", "qa_samples", "letter_visits",
                  "customer_promises", "service_requests", "complaint_steps", "complaints"):
        op.drop_table(table)
    with op.batch_alter_table("attention_changes") as batch:
        batch.drop_column("basis")
    with op.batch_alter_table("attention_entries") as batch:
        batch.drop_constraint("fk_attention_entries_dedicated_agent_id_users", type_="foreignkey")
        for column in ("restricted_products", "dedicated_agent_id", "measures", "severity",
                       "ground"):
            batch.drop_column(column)
    with op.batch_alter_table("policies") as batch:
        batch.drop_column("coverage_months")
        batch.drop_column("coverage_term")
