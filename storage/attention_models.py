"""Tables of the special-attention list (特别关注) and of policy phone changes.

Import Base from storage.models; storage.models imports this module at its end so that
Base.metadata (Alembic, the schema test) holds every table.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.attention_kinds import (
    VIOLATION_KINDS,
    AttentionGround,
    AttentionMeasure,
    AttentionSeverity,
    AttentionStatus,
    AttentionSubject,
)
from storage.column_types import UtcDateTime, enum_column
from storage.models import Base, Policy, User

__all__ = [
    "VIOLATION_KINDS",
    "AttentionChange",
    "AttentionEntry",
    "AttentionGround",
    "AttentionMeasure",
    "AttentionSeverity",
    "AttentionStatus",
    "AttentionSubject",
    "PhoneChangeRecord",
    "PolicyFlag",
    "PolicyFlagKind",
]


class PolicyFlagKind(StrEnum):
    """Why a policy was flagged when it came in (not a call's flag: see analysis_models)."""

    SPECIAL_ATTENTION = "special_attention"  # sold by someone on the 特别关注 list
    RESTRICTED_PRODUCT = "restricted_product"  # a product the listing forbids its seller (严重)
    PHONE_CUE = "phone_cue"  # 号段相近, one number for several holders, changed after purchase


class AttentionEntry(Base):
    """One salesperson, team or branch on the special-attention list, from report to revocation.

    Active (reported or under observation) from `effective_from` up to the day before
    `revoked_on`. A revoked subject reported again gets a new entry, so each entry's history
    reads straight through.
    """

    __tablename__ = "attention_entries"
    __table_args__ = (Index("ix_attention_entries_subject", "subject_kind", "subject_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_kind: Mapped[AttentionSubject] = mapped_column(enum_column(AttentionSubject, 16))
    subject_name: Mapped[str] = mapped_column(String(100))
    # Salesperson and team names repeat across a national insurer: "" means in any branch.
    within_branch: Mapped[str] = mapped_column(String(50), default="")
    status: Mapped[AttentionStatus] = mapped_column(enum_column(AttentionStatus, 24), index=True)
    effective_from: Mapped[date]
    revoked_on: Mapped[date | None]
    # None only on entries written before the grounds became a closed list.
    ground: Mapped[AttentionGround | None] = mapped_column(enum_column(AttentionGround, 24))
    severity: Mapped[AttentionSeverity | None] = mapped_column(enum_column(AttentionSeverity, 8))
    measures: Mapped[str] = mapped_column(String(120), default="")  # AttentionMeasure values, ","
    dedicated_agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    restricted_products: Mapped[str] = mapped_column(String(200), default="")  # families, ","
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())

    changes: Mapped[list[AttentionChange]] = relationship(
        back_populates="entry", order_by="AttentionChange.id", cascade="all, delete-orphan"
    )
    dedicated_agent: Mapped[User | None] = relationship()


class AttentionChange(Base):
    """One step in an entry's history: who moved it from which status to which, when and why."""

    __tablename__ = "attention_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("attention_entries.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[AttentionStatus | None] = mapped_column(enum_column(AttentionStatus, 24))
    to_status: Mapped[AttentionStatus] = mapped_column(enum_column(AttentionStatus, 24))
    reason: Mapped[str] = mapped_column(Text)
    effective_on: Mapped[date]  # the day the new status took effect (may precede changed_at)
    # For a revocation: verification (核查无违规) or clean_period (监测期内无违规).
    basis: Mapped[str | None] = mapped_column(String(16))
    changed_by: Mapped[str] = mapped_column(String(50))
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime())

    entry: Mapped[AttentionEntry] = relationship(back_populates="changes")


class PolicyFlag(Base):
    """A flag on a policy itself, raised on import or when its seller was put on the list."""

    __tablename__ = "policy_flags"
    __table_args__ = (UniqueConstraint("policy_id", "kind", "attention_entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(
        ForeignKey("policies.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[PolicyFlagKind] = mapped_column(enum_column(PolicyFlagKind, 24))
    # The list entry the policy matched; one flag per matched entry.
    attention_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("attention_entries.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    # A phone cue's kind (agent_assist PhoneCueKind) and severity; None for other flags.
    cue: Mapped[str | None] = mapped_column(String(32))
    severity: Mapped[str | None] = mapped_column(String(8))

    policy: Mapped[Policy] = relationship()
    entry: Mapped[AttentionEntry | None] = relationship()
    links: Mapped[list[PolicyFlagLink]] = relationship(
        back_populates="flag", order_by="PolicyFlagLink.id", cascade="all, delete-orphan"
    )


class PolicyFlagLink(Base):
    """Another policy a phone cue points at, by number (the cue's other policies)."""

    __tablename__ = "policy_flag_links"
    __table_args__ = (UniqueConstraint("flag_id", "policy_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    flag_id: Mapped[int] = mapped_column(ForeignKey("policy_flags.id", ondelete="CASCADE"))
    policy_no: Mapped[str] = mapped_column(String(32), index=True)

    flag: Mapped[PolicyFlag] = relationship(back_populates="links")


class PhoneChangeRecord(Base):
    """One change of a policy's contact number, as the policy-service system logged it.

    Kept by policy number, not as a foreign key: the change export and the new-policy import
    arrive separately, in either order.
    """

    __tablename__ = "phone_changes"
    __table_args__ = (UniqueConstraint("policy_no", "changed_at", "old_phone", "new_phone"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_no: Mapped[str] = mapped_column(String(32), index=True)
    old_phone: Mapped[str] = mapped_column(String(16))  # canonical digits (zhtext.phones)
    new_phone: Mapped[str] = mapped_column(String(16), index=True)
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    source: Mapped[str] = mapped_column(String(255))  # the file (or system) it came from
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime())
