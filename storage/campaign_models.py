"""Tables of pre-callback campaigns: attempts, schedule state, do-not-call list.

Import Base from storage.models; storage.models imports this module at its end so that
Base.metadata (Alembic, the schema test) holds every table.

The database, not the dialler's memory, is the campaign's truth: an attempt is claimed (a row
in `in_progress` with the claiming worker and a lease) and committed before the INVITE goes
out, and two partial unique indexes make a double claim impossible even between processes:
one attempt in progress per policy, one per phone number.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.column_types import UtcDateTime, enum_column
from storage.models import Base, CallRecord, Policy


class CampaignState(StrEnum):
    """Where a policy stands in the campaign."""

    PENDING = "pending"  # waiting for its next attempt
    IN_PROGRESS = "in_progress"  # an attempt is being dialled now
    DONE = "done"  # reached (or handed to an agent): final_outcome says how
    LETTER_OR_VISIT = "letter_or_visit"  # unreached by phone: 信函 or 上门回访 instead


class AttemptOutcome(StrEnum):
    """How one dialling attempt ended, as the campaign counts it."""

    SUCCESS = "success"  # all items confirmed
    PROBLEM_CASE = "problem_case"  # reached, with problem items (问题件 opened)
    WANTS_HUMAN = "wants_human"  # 转人工: queued for an agent
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    INVALID_NUMBER = "invalid_number"  # 空号
    HUNG_UP = "hung_up"  # answered, then gone before the script ended
    REFUSED = "refused"  # declined (603/403)
    FAILED = "failed"  # our side broke (error, crash mid-call)


class AttemptStatus(StrEnum):
    """Whether an attempt is still running."""

    IN_PROGRESS = "in_progress"
    FINISHED = "finished"


class CampaignPolicy(Base):
    """One policy enrolled in the automated pre-callback (预回访) campaign."""

    __tablename__ = "campaign_policies"
    __table_args__ = (Index("ix_campaign_policies_state_next", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), unique=True)
    state: Mapped[CampaignState] = mapped_column(enum_column(CampaignState, 16))
    final_outcome: Mapped[AttemptOutcome | None] = mapped_column(enum_column(AttemptOutcome, 16))
    # Why the policy went to the letter-or-visit list, one line per reason.
    closing_reason: Mapped[str | None] = mapped_column(Text)
    # The earliest the scheduler may dial it again (None: as soon as a window opens).
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    enrolled_at: Mapped[datetime] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    policy: Mapped[Policy] = relationship()
    attempts: Mapped[list[CampaignAttempt]] = relationship(
        back_populates="campaign_policy", order_by="CampaignAttempt.seq"
    )


_IN_PROGRESS = text("status = 'in_progress'")


class CampaignAttempt(Base):
    """One dialling attempt: claimed before the INVITE, finished with its outcome."""

    __tablename__ = "campaign_attempts"
    __table_args__ = (
        UniqueConstraint("campaign_policy_id", "seq"),
        # One number never dialled twice at once, one policy never twice at once: the
        # database refuses the second claim whichever worker makes it.
        Index("uq_campaign_attempts_dialling_phone", "phone", unique=True,
              sqlite_where=_IN_PROGRESS, postgresql_where=_IN_PROGRESS),
        Index("uq_campaign_attempts_dialling_policy", "campaign_policy_id", unique=True,
              sqlite_where=_IN_PROGRESS, postgresql_where=_IN_PROGRESS),
        Index("ix_campaign_attempts_status_lease", "status", "lease_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_policy_id: Mapped[int] = mapped_column(ForeignKey("campaign_policies.id"))
    seq: Mapped[int]  # 1 for the first attempt at this policy
    phone: Mapped[str] = mapped_column(String(16))
    sip_uri: Mapped[str] = mapped_column(String(255))
    status: Mapped[AttemptStatus] = mapped_column(enum_column(AttemptStatus, 16))
    worker: Mapped[str] = mapped_column(String(100))  # host:pid:token of the claimer
    lease_until: Mapped[datetime] = mapped_column(UtcDateTime())
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # False only when the worker died between the claim and the INVITE (no call record).
    dialled: Mapped[bool] = mapped_column(default=True)
    outcome: Mapped[AttemptOutcome | None] = mapped_column(enum_column(AttemptOutcome, 16))
    detail: Mapped[str | None] = mapped_column(String(200))  # SIP status, how it was resolved
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"), index=True)

    campaign_policy: Mapped[CampaignPolicy] = relationship(back_populates="attempts")
    call: Mapped[CallRecord | None] = relationship()


class DoNotCall(Base):
    """A number never to dial (拒绝回访, complaints, regulator's list)."""

    __tablename__ = "do_not_call"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(16), unique=True)
    reason: Mapped[str] = mapped_column(String(200), default="")
    added_at: Mapped[datetime] = mapped_column(UtcDateTime())
