"""Legal holds (法律保全): a policy or a call whose records no purge may remove while held.

Import Base from storage.models; storage.models imports this module at its end so that
Base.metadata (Alembic, the schema test) holds every table.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.column_types import UtcDateTime
from storage.models import Base


class LegalHold(Base):
    """One hold on a policy (all its calls) or one call: who set it and why, who cleared it.

    Rows are never deleted: a cleared hold keeps its history (cleared_at set)."""

    __tablename__ = "legal_holds"
    __table_args__ = (Index("ix_legal_holds_active", "cleared_at", "policy_id", "call_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Exactly one of the two is set.
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id"), index=True)
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    set_at: Mapped[datetime] = mapped_column(UtcDateTime())
    set_by: Mapped[str] = mapped_column(String(50))
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cleared_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    cleared_by: Mapped[str | None] = mapped_column(String(50))
    cleared_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    clear_reason: Mapped[str | None] = mapped_column(Text)
