"""A call's transcript as stored: what each leg said, per decoding pass (实时 / 整通复核).

Import Base from storage.models; storage.models imports this module at its end so that
Base.metadata (Alembic, the schema test) holds every table.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from agent_assist.events import Leg
from asr.events import TranscriptPass as TranscriptPass  # one vocabulary with asr/
from storage.column_types import enum_column
from storage.models import Base


class CallUtterance(Base):
    """One final utterance of one leg, times in milliseconds from the start of the call."""

    __tablename__ = "call_utterances"
    __table_args__ = (Index("ix_call_utterances_call_pass", "call_id", "transcript_pass"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    transcript_pass: Mapped[TranscriptPass] = mapped_column(enum_column(TranscriptPass, 16))
    leg: Mapped[Leg] = mapped_column(enum_column(Leg, 16))
    start_ms: Mapped[int]
    end_ms: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
