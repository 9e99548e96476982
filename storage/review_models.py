"""Tables of the review workflow: dispositions, problem-case handling, audit trail.

Import Base from storage.models; storage.models imports this module at its end so that
Base.metadata (Alembic, the schema test) holds every table.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.column_types import UtcDateTime, enum_column
from storage.models import Base, ProblemCase, User


class Decision(StrEnum):
    """What a reviewer made of a flag: a problem case, or nothing (with a reason)."""

    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


class CaseClass(StrEnum):
    """How a confirmed problem case (问题件) is classified."""

    ORAL_INTENTIONAL = "口头误导-故意"
    ORAL_UNINTENTIONAL = "口头误导-无意"
    WRITTEN = "书面误导"
    PROCESS_VIOLATION = "流程违规"
    IDENTITY_DOUBT = "身份存疑"


class FlagDisposition(Base):
    """A reviewer's decision on one flag of a call; a confirmation opened a problem case."""

    __tablename__ = "flag_dispositions"

    id: Mapped[int] = mapped_column(primary_key=True)
    flag_id: Mapped[int] = mapped_column(ForeignKey("call_flags.id"), unique=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    decision: Mapped[Decision] = mapped_column(enum_column(Decision, 16))
    classification: Mapped[CaseClass | None] = mapped_column(enum_column(CaseClass, 16))
    # Why a flag was dismissed (required then), or the reviewer's note on a confirmation.
    reason: Mapped[str] = mapped_column(Text, default="")
    problem_case_id: Mapped[int | None] = mapped_column(ForeignKey("problem_cases.id"))
    decided_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime())


class CaseHandling(Base):
    """How a problem case is worked: classification, handler, deadline, reminders, resolution."""

    __tablename__ = "case_handling"

    problem_case_id: Mapped[int] = mapped_column(
        ForeignKey("problem_cases.id", ondelete="CASCADE"), primary_key=True
    )
    classification: Mapped[CaseClass] = mapped_column(enum_column(CaseClass, 16))
    # Never the policy's salesperson: a case is not handled by the seller it is about.
    handler_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # The last working day (local calendar) by which the case must be resolved.
    deadline: Mapped[date] = mapped_column(index=True)
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    case: Mapped[ProblemCase] = relationship()
    handler: Mapped[User] = relationship(foreign_keys=[handler_id])


class AuditEntry(Base):
    """One change made through huifang: who, when, what, and the row before and after.

    Append-only: the ORM refuses to update or delete one, and the database's triggers
    (revision 0006) refuse it to everyone else.
    """

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the system
    actor: Mapped[str] = mapped_column(String(50))  # the name then, kept if the user changes
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int]
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class AuditTrailError(RuntimeError):
    """Someone tried to change or remove an audit entry."""


@event.listens_for(AuditEntry, "before_update")
def _refuse_update(_mapper: object, _connection: object, entry: AuditEntry) -> None:
    raise AuditTrailError(f"audit entry {entry.id} cannot be changed")


@event.listens_for(AuditEntry, "before_delete")
def _refuse_delete(_mapper: object, _connection: object, entry: AuditEntry) -> None:
    raise AuditTrailError(f"audit entry {entry.id} cannot be removed")
