"""What agents do on a live call's screen: mark a script item, write a note, raise a case.

Import Base from storage.models; storage.models imports this module at its end so that
Base.metadata (Alembic, the schema test) holds every table.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.column_types import UtcDateTime, enum_column
from storage.models import Base, User


class AgentActionKind(StrEnum):
    """What an agent does with one click on the live screen."""

    MARK = "mark"  # a script item asked / confirmed / problem
    NOTE = "note"
    PROBLEM_CASE = "problem_case"  # a 问题件 opened by the agent
    COMPLAINT = "complaint"  # a complaint (投诉 / 强烈抱怨) heard, into the complaint workflow
    SURRENDER = "surrender"  # a surrender request heard, handed to policy service (保全)


class AgentAction(Base):
    """One action of an agent on a call, in the order done (never edited)."""

    __tablename__ = "agent_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[AgentActionKind] = mapped_column(
        enum_column(AgentActionKind, 16)
    )
    step_id: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str | None] = mapped_column(String(16))  # huifang.calls.events.ItemState
    text: Mapped[str] = mapped_column(Text, default="")
    problem_case_id: Mapped[int | None] = mapped_column(ForeignKey("problem_cases.id"))
    done_at: Mapped[datetime] = mapped_column(UtcDateTime())

    user: Mapped[User] = relationship()
