"""The tables, as typed SQLAlchemy 2 ORM classes: Policy, CallRecord, ItemAnswer, ProblemCase,
User."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from scripts_zh.policy import ProductFamily
from storage.column_types import UtcDateTime, enum_column
from storage.families import family_codes

# Named constraints, so migrations can alter them the same way on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every huifang table."""

    metadata = MetaData(naming_convention=NAMING)


class Gender(StrEnum):
    """The policyholder's gender as the policy records it."""

    MALE = "male"
    FEMALE = "female"


class CallDirection(StrEnum):
    """Whether we dialled (预回访, campaign) or the customer called in."""

    OUTBOUND = "outbound"
    INBOUND = "inbound"


class Verdict(StrEnum):
    """How one script item ended on a call."""

    CONFIRMED = "confirmed"
    PROBLEM = "problem"


class UserRole(StrEnum):
    """What a web user may do: agents see only their own calls (坐席/质检/主管/管理员)."""

    AGENT = "agent"
    REVIEWER = "reviewer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class CaseStatus(StrEnum):
    """Where a problem case (问题件) stands."""

    OPEN = "open"
    CLOSED = "closed"


class PolicyEndReason(StrEnum):
    """Why a policy's contract ended (合同终止): the retention floor counts from that day."""

    COOLING_OFF_SURRENDER = "cooling_off_surrender"  # 犹豫期退保
    SURRENDER = "surrender"  # 退保
    MATURITY = "maturity"  # 满期
    CLAIM_TERMINATION = "claim_termination"  # 理赔终止
    OTHER = "other"  # 其他


class Policy(Base):
    """A new policy to be called back (保单), with its holder and sales channel."""

    __tablename__ = "policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_no: Mapped[str] = mapped_column(String(32), unique=True)
    family: Mapped[ProductFamily] = mapped_column(enum_column(ProductFamily, 16, family_codes))
    product_name: Mapped[str] = mapped_column(String(100), default="")
    holder_name: Mapped[str] = mapped_column(String(50))
    holder_gender: Mapped[Gender] = mapped_column(enum_column(Gender, 8))
    holder_birth_date: Mapped[date]
    holder_id_last4: Mapped[str] = mapped_column(String(4))
    phone: Mapped[str] = mapped_column(String(16), index=True)
    insured_name: Mapped[str] = mapped_column(String(50), default="")
    premium_yuan: Mapped[int] = mapped_column(default=0)
    payment_years: Mapped[int] = mapped_column(default=0)
    payment_frequency: Mapped[str] = mapped_column(String(8), default="")
    # 保险期间 as imported (终身, 20年, 至70岁, 1年, 6个月; "" unknown) and, for a fixed term, its
    # months: only policies over one year must be called back (应回访), see callback_required.
    coverage_term: Mapped[str] = mapped_column(String(16), default="")
    coverage_months: Mapped[int | None] = mapped_column(Integer)
    sign_date: Mapped[date]
    receipt_date: Mapped[date]
    cooling_off_days: Mapped[int]
    # Stored, not computed in queries, so "deadlines near" is one indexed range scan.
    cooling_off_deadline: Mapped[date] = mapped_column(index=True)
    salesperson: Mapped[str] = mapped_column(String(50))
    team: Mapped[str] = mapped_column(String(50))
    outlet: Mapped[str] = mapped_column(String(100))
    branch: Mapped[str] = mapped_column(String(50))
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # The day the contract ended and why (storage.policy_end); None while it is in force or
    # nobody has recorded its end. Retention counts its legal floor from this day.
    ended_on: Mapped[date | None]
    end_reason: Mapped[PolicyEndReason | None] = mapped_column(enum_column(PolicyEndReason, 24))

    calls: Mapped[list[CallRecord]] = relationship(back_populates="policy")


def cooling_off_deadline(receipt_date: date, cooling_off_days: int) -> date:
    """The last day of the 犹豫期: it runs cooling_off_days from the day after receipt."""
    return receipt_date + timedelta(days=cooling_off_days)


class CallRecord(Base):
    """One call about a policy: who, which way, when, how it ended, where the recording lies."""

    __tablename__ = "calls"
    # Open calls (ended_at NULL) by owner: what a start-up settles after a crash.
    __table_args__ = (Index("ix_calls_open", "ended_at", "owner_node"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # An inbound call from an unknown number has no policy until an agent finds it.
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id"), index=True)
    direction: Mapped[CallDirection] = mapped_column(enum_column(CallDirection, 8))
    sip_uri: Mapped[str] = mapped_column(String(255))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # ivr.outcome.CallOutcome (how the SIP call ended) and the dialogue's CallOutcome (what the
    # callback achieved) are different questions; both are kept as their string values.
    outcome: Mapped[str | None] = mapped_column(String(32))
    dialogue_outcome: Mapped[str | None] = mapped_column(String(32))
    recording_path: Mapped[str | None] = mapped_column(String(500))
    # The agent who handled the call; None for a robot callback nobody was transferred to.
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # The process handling the call (storage.ownership): a crash leaves it open, and the
    # next start settles it only once this process is gone. None: recorded before 0009.
    owner_node: Mapped[str | None] = mapped_column(String(64))
    owner_pid: Mapped[int | None] = mapped_column(Integer)
    owner_started: Mapped[str | None] = mapped_column(String(24))
    # The checks this call did not run because the deployment has them off (duplicate_voice
    # where voiceprints are not kept); None for calls stored before the pipeline said.
    checks_skipped: Mapped[list[str] | None] = mapped_column(JSON)

    policy: Mapped[Policy | None] = relationship(back_populates="calls")
    agent: Mapped[User | None] = relationship()
    answers: Mapped[list[ItemAnswer]] = relationship(
        back_populates="call", order_by="ItemAnswer.id", cascade="all, delete-orphan"
    )


class ItemAnswer(Base):
    """How one script step (item 1-7, identity, 收益不确定 …) ended on one call."""

    __tablename__ = "item_answers"
    __table_args__ = (UniqueConstraint("call_id", "step_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    step_id: Mapped[str] = mapped_column(String(64))
    item: Mapped[int | None] = mapped_column(Integer)  # 1-7 of the seven items, None for extras
    verdict: Mapped[Verdict] = mapped_column(enum_column(Verdict, 16))
    reason: Mapped[str | None] = mapped_column(String(32))  # ProblemReason for a problem
    problem_kind: Mapped[str | None] = mapped_column(String(32))
    topic: Mapped[str | None] = mapped_column(String(100))

    call: Mapped[CallRecord] = relationship(back_populates="answers")
    evidence: Mapped[list[AnswerEvidence]] = relationship(
        back_populates="answer", order_by="AnswerEvidence.seq", cascade="all, delete-orphan"
    )


class AnswerEvidence(Base):
    """One answer heard for a step: transcript or keys, times within the call, how understood."""

    __tablename__ = "answer_evidence"
    __table_args__ = (UniqueConstraint("item_answer_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_answer_id: Mapped[int] = mapped_column(ForeignKey("item_answers.id", ondelete="CASCADE"))
    seq: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    start_ms: Mapped[int]
    end_ms: Mapped[int]
    source: Mapped[str] = mapped_column(String(16))  # speech / dtmf / timeout
    answer_class: Mapped[str | None] = mapped_column(String(32))

    answer: Mapped[ItemAnswer] = relationship(back_populates="evidence")


class ProblemCase(Base):
    """A problem case (问题件) opened for a policy; the review workflow comes later."""

    __tablename__ = "problem_cases"
    __table_args__ = (Index("ix_problem_cases_status_opened", "status", "opened_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"))
    item_answer_id: Mapped[int | None] = mapped_column(ForeignKey("item_answers.id"))
    kind: Mapped[str] = mapped_column(String(32))  # ProblemKind: deception, concealment …
    reason: Mapped[str] = mapped_column(String(32))
    status: Mapped[CaseStatus] = mapped_column(enum_column(CaseStatus, 8), default=CaseStatus.OPEN)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # The deadline sweep's marks, assigned or not: the clock runs from the day the case opens.
    reminded_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    overdue_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class User(Base):
    """A person who signs in to the web screens, with a salted password hash and one role."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[UserRole] = mapped_column(enum_column(UserRole, 16))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # Sessions signed in before this moment are void (revoked, password reset, role changed).
    sessions_valid_after: Mapped[datetime | None] = mapped_column(UtcDateTime())


# Tables kept in their own modules, one per area; imported here so Base.metadata holds them all.
from storage import (  # noqa: E402,F401  (after Base: those modules subclass it)
    analysis_models,
    attention_models,
    campaign_models,
    live_models,
    queue_models,
    retention_models,
    review_models,
    saved_filters,
    service_models,
    transcript_models,
    voiceprint_models,
)
