"""Tables of the customer-facing work a callback starts: complaints (投诉) with their own clock
and stages, policy-service requests (保全, 犹豫期退保) and the promises the robot makes.

Import Base from storage.models; storage.models imports this module at its end so that
Base.metadata (Alembic, the schema test) holds every table.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.column_types import UtcDateTime, enum_column
from storage.models import Base, Policy, User


class ComplaintKind(StrEnum):
    """What the customer did: complained formally, or complained strongly without saying 投诉."""

    COMPLAINT = "complaint"  # 电话投诉: 投诉, 举报, 12378, 骗 …
    STRONG = "strong"  # 强烈抱怨: 太过分了, 气死了, 什么破保险 …


class ComplaintCategory(StrEnum):
    """The closed list complaints are classified by (分类)."""

    MISLEADING_SALE = "销售误导"
    SURRENDER = "退保纠纷"
    SERVICE = "服务质量"
    CALLBACK = "回访扰民"
    PERSONAL_DATA = "信息安全"
    CLAIMS = "理赔"
    OTHER = "其他"


class ComplaintStage(StrEnum):
    """The complaint workflow's stages in order: 受理 分类 调查 处理 反馈 复核 归档."""

    RECEIVED = "受理"
    CLASSIFIED = "分类"
    INVESTIGATING = "调查"
    HANDLED = "处理"
    FED_BACK = "反馈"
    REVIEWED = "复核"
    ARCHIVED = "归档"


class ComplaintChannel(StrEnum):
    """Where the complaint came in."""

    CALLBACK = "callback"  # heard on a callback call (robot or agent)
    PHONE = "phone"  # the hotline, by hand
    LETTER = "letter"
    VISIT = "visit"
    OTHER = "other"


class Complaint(Base):
    """One complaint: its clocks (24 h, 48 h, 7 and 2 working days), stage and handler."""

    __tablename__ = "complaints"
    __table_args__ = (Index("ix_complaints_stage_received", "stage", "received_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id"), index=True)
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"), index=True)
    channel: Mapped[ComplaintChannel] = mapped_column(enum_column(ComplaintChannel, 16))
    kind: Mapped[ComplaintKind] = mapped_column(enum_column(ComplaintKind, 16))
    category: Mapped[ComplaintCategory | None] = mapped_column(enum_column(ComplaintCategory, 16))
    summary: Mapped[str] = mapped_column(Text)
    stage: Mapped[ComplaintStage] = mapped_column(enum_column(ComplaintStage, 8))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # The clocks, fixed when the complaint is received (feedback_due when it is handled).
    acknowledge_due: Mapped[datetime] = mapped_column(UtcDateTime())
    respond_due: Mapped[datetime] = mapped_column(UtcDateTime())
    handle_due: Mapped[date]
    feedback_due: Mapped[date | None]
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    responded_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    handled_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    fed_back_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    archived_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    outcome: Mapped[str] = mapped_column(Text, default="")
    # Marks the sweep sets once each: a reminder before a due time, an escalation after it.
    reminded: Mapped[str] = mapped_column(String(100), default="")
    escalated: Mapped[str] = mapped_column(String(100), default="")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())

    policy: Mapped[Policy | None] = relationship()
    handler: Mapped[User | None] = relationship()
    steps: Mapped[list[ComplaintStep]] = relationship(
        back_populates="complaint", order_by="ComplaintStep.id", cascade="all, delete-orphan"
    )


class ComplaintStep(Base):
    """One move of a complaint to a stage: who, when, what was done (the 整改跟踪台账 reads it)."""

    __tablename__ = "complaint_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    stage: Mapped[ComplaintStage] = mapped_column(enum_column(ComplaintStage, 8))
    note: Mapped[str] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(50))
    at: Mapped[datetime] = mapped_column(UtcDateTime())

    complaint: Mapped[Complaint] = relationship(back_populates="steps")


class ServiceStatus(StrEnum):
    """Where a policy-service (保全) request stands."""

    RECEIVED = "received"  # handed over, not yet accepted
    MATERIAL_REQUESTED = "material_requested"  # missing material asked for (once)
    ACCEPTED = "accepted"  # 受理
    COMPLETED = "completed"  # done (surrendered, premium refunded)
    WITHDRAWN = "withdrawn"  # the customer changed their mind


class ServiceRequest(Base):
    """A request handed to policy service (保全): accept within 2 working days, ask for missing
    material at most once and within 5."""

    __tablename__ = "service_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policies.id"), index=True)
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"))
    kind: Mapped[str] = mapped_column(String(16))  # surrender (退保)
    in_cooling_off: Mapped[bool]  # asked within the 犹豫期: the whole premium comes back
    text: Mapped[str] = mapped_column(Text)  # what the customer said
    status: Mapped[ServiceStatus] = mapped_column(enum_column(ServiceStatus, 24), index=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    accept_due: Mapped[date]
    material_due: Mapped[date]
    material_requested_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    note: Mapped[str] = mapped_column(Text, default="")
    handled_by: Mapped[str] = mapped_column(String(50), default="")
    overdue_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    policy: Mapped[Policy] = relationship()


class PromiseStatus(StrEnum):
    """Whether a promise to the customer was kept."""

    OPEN = "open"
    KEPT = "kept"


class CustomerPromise(Base):
    """What the robot told a customer would happen (一个工作日内与您联系), with its due time."""

    __tablename__ = "customer_promises"
    __table_args__ = (UniqueConstraint("call_id", "promise"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("policies.id"), index=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    promise: Mapped[str] = mapped_column(String(200))  # the sentence as said
    made_at: Mapped[datetime] = mapped_column(UtcDateTime())
    due_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    status: Mapped[PromiseStatus] = mapped_column(enum_column(PromiseStatus, 8))
    kept_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    kept_by: Mapped[str] = mapped_column(String(50), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    overdue_at: Mapped[datetime | None] = mapped_column(UtcDateTime())

    policy: Mapped[Policy | None] = relationship()
