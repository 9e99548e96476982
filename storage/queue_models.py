"""Tables of the centre's work queues: letters and visits (信函/上门回访), random QA samples
(抽检), dedicated-agent callbacks (专人回访) and special-attention proposals.

Import Base from storage.models; storage.models imports this module at its end so that
Base.metadata (Alembic, the schema test) holds every table.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.attention_kinds import AttentionGround, AttentionSubject
from storage.column_types import UtcDateTime, enum_column
from storage.models import Base, CallRecord, Policy, User

if TYPE_CHECKING:
    from storage.attention_models import AttentionEntry


class ContactMethod(StrEnum):
    """How a policy the phone could not reach is called back instead."""

    LETTER = "letter"  # 信函回访: a printed letter with a reply slip
    VISIT = "visit"  # 上门回访


class LetterVisitStatus(StrEnum):
    """Where a letter or visit stands; closed once a result is recorded."""

    OPEN = "open"
    SENT = "sent"  # the letter went out, the reply slip is awaited
    ASSIGNED = "assigned"  # a visit is assigned to someone
    CLOSED = "closed"


class LetterVisitResult(StrEnum):
    """What the letter's reply slip or the visit found."""

    CONFIRMED = "confirmed"  # every item confirmed: the callback succeeded
    PROBLEMS = "problems"  # some items not confirmed: a problem case is opened
    REFUSED = "refused"
    UNREACHABLE = "unreachable"  # no reply, nobody at the address


class LetterVisit(Base):
    """One policy's callback by letter or visit, from the list to a recorded result."""

    __tablename__ = "letter_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    method: Mapped[ContactMethod] = mapped_column(enum_column(ContactMethod, 8))
    status: Mapped[LetterVisitStatus] = mapped_column(
        enum_column(LetterVisitStatus, 16), index=True
    )
    reason: Mapped[str] = mapped_column(Text, default="")  # why the phone did not do
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    visit_on: Mapped[date | None]
    printed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    result: Mapped[LetterVisitResult | None] = mapped_column(enum_column(LetterVisitResult, 16))
    result_note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(50), default="")
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    policy: Mapped[Policy] = relationship()
    assignee: Mapped[User | None] = relationship()


class QaVerdict(StrEnum):
    """A reviewer's finding on a sampled call."""

    CLEAN = "clean"
    MISS = "miss"  # something the rules should have flagged


class QaSample(Base):
    """An unflagged call drawn at random into the review queue (质检抽检)."""

    __tablename__ = "qa_samples"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), unique=True)
    sample_day: Mapped[date] = mapped_column(index=True)  # the local day whose calls were drawn
    rate: Mapped[float] = mapped_column(Float)
    sampled_at: Mapped[datetime] = mapped_column(UtcDateTime())
    verdict: Mapped[QaVerdict | None] = mapped_column(enum_column(QaVerdict, 8))
    miss_category: Mapped[str] = mapped_column(String(32), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    call: Mapped[CallRecord] = relationship()


class AssignmentStatus(StrEnum):
    """Whether a dedicated agent has done a callback given to them."""

    OPEN = "open"
    DONE = "done"


class CallbackAssignment(Base):
    """A policy's callback given to a named agent instead of the robot (专人回访)."""

    __tablename__ = "callback_assignments"
    __table_args__ = (Index("ix_callback_assignments_agent_status", "agent_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), unique=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("attention_entries.id"))
    status: Mapped[AssignmentStatus] = mapped_column(enum_column(AssignmentStatus, 8))
    assigned_at: Mapped[datetime] = mapped_column(UtcDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"))

    policy: Mapped[Policy] = relationship()
    agent: Mapped[User] = relationship()
    entry: Mapped[AttentionEntry] = relationship()


class ProposalStatus(StrEnum):
    """A proposal waits for a person: accepted into an entry, or dismissed with a reason."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DISMISSED = "dismissed"


class AttentionProposal(Base):
    """A subject the evidence says belongs on the special-attention list, for a person to decide."""

    __tablename__ = "attention_proposals"
    __table_args__ = (
        Index("ix_attention_proposals_subject", "subject_kind", "subject_name", "ground"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_kind: Mapped[AttentionSubject] = mapped_column(enum_column(AttentionSubject, 16))
    subject_name: Mapped[str] = mapped_column(String(100))
    within_branch: Mapped[str] = mapped_column(String(50), default="")
    ground: Mapped[AttentionGround] = mapped_column(enum_column(AttentionGround, 24))
    evidence: Mapped[str] = mapped_column(Text)
    proposed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    status: Mapped[ProposalStatus] = mapped_column(enum_column(ProposalStatus, 16), index=True)
    decided_by: Mapped[str] = mapped_column(String(50), default="")
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    decision_note: Mapped[str] = mapped_column(Text, default="")
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("attention_entries.id"))
