"""Tables of call analysis: flags with evidence, voice cues and voiceprints per leg.

Import Base from storage.models; storage.models imports this module at its end so that
Base.metadata (Alembic, the schema test) holds every table.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from agent_assist.events import Leg, Severity
from storage.column_types import UtcDateTime, enum_column
from storage.models import Base, CallRecord


class FlagKind(StrEnum):
    """Which analysis raised a flag: what the review console lists calls by."""

    MISLEADING_SALE = "misleading_sale"  # a real-time rule on one utterance (销售误导)
    WHOLE_CALL = "whole_call"  # a whole-call rule (item never acknowledged, 利息 asked 3×)
    VOICE_CUE = "voice_cue"  # gender / age mismatch, voice changer (身份核实提示)
    DUPLICATE_VOICE = "duplicate_voice"  # this voice answered for other policyholders
    PHONE_CUE = "phone_cue"  # number range, shared number, changed after purchase
    SPECIAL_ATTENTION = "special_attention"  # seller, team or branch on the 特别关注 list
    IDENTITY = "identity"  # an identity answer that does not match the policy (身份核实)


class CallFlag(Base):
    """One flag raised on a call, with the evidence a reviewer checks and the agent's wording.

    rule_id is the rule's id for misleading-sale and whole-call flags and the cue kind
    (gender_mismatch, voice_changer, number_range …) for cues; category is 欺骗/隐瞒/诱导/违规操作
    for rules and the cue kind again for cues, so one column filters both.
    """

    __tablename__ = "call_flags"
    __table_args__ = (
        Index("ix_call_flags_kind_severity_raised_at", "kind", "severity", "raised_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    kind: Mapped[FlagKind] = mapped_column(enum_column(FlagKind, 24))
    rule_id: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(32), index=True)
    subcategory: Mapped[str] = mapped_column(String(32), default="")
    severity: Mapped[Severity] = mapped_column(enum_column(Severity, 8))
    # None for cues about the policy rather than a voice (phone cues, special attention).
    leg: Mapped[Leg | None] = mapped_column(enum_column(Leg, 16))
    utterance: Mapped[str] = mapped_column(Text, default="")
    start_ms: Mapped[int | None]
    end_ms: Mapped[int | None]
    span_start: Mapped[int | None]
    span_end: Mapped[int | None]
    matched: Mapped[str] = mapped_column(Text, default="")
    # What the agent or reviewer reads: the rule's explanation, or the cue's message.
    explanation: Mapped[str] = mapped_column(Text, default="")
    suggested_wording: Mapped[str] = mapped_column(Text, default="")
    # The measurements behind a cue (音高 …, 相似度 …), one line each.
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    confidence: Mapped[float | None] = mapped_column(Float)
    attributed: Mapped[bool] = mapped_column(default=False)
    via_pinyin: Mapped[bool] = mapped_column(default=False)
    raised_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)

    call: Mapped[CallRecord] = relationship()
    policies: Mapped[list[CallFlagPolicy]] = relationship(
        back_populates="flag", order_by="CallFlagPolicy.id", cascade="all, delete-orphan"
    )


class CallFlagPolicy(Base):
    """Another policy a duplicate-voice or phone cue points at, by number (it may be unknown)."""

    __tablename__ = "call_flag_policies"
    __table_args__ = (UniqueConstraint("flag_id", "policy_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    flag_id: Mapped[int] = mapped_column(ForeignKey("call_flags.id", ondelete="CASCADE"))
    policy_no: Mapped[str] = mapped_column(String(32), index=True)
    # The voiceprint similarity for a duplicate voice; None for phone cues.
    score: Mapped[float | None] = mapped_column(Float)

    flag: Mapped[CallFlag] = relationship(back_populates="policies")
