"""Violations recorded against a listed subject: reviewers' confirmed flags on its policies'
calls, and complaints of misleading sale about its policies."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from storage.attention_kinds import AttentionSubject
from storage.attention_models import AttentionEntry
from storage.models import CallRecord, Policy
from storage.review_models import Decision, FlagDisposition
from storage.service_models import Complaint, ComplaintCategory

# The list's dates are the centre's calendar days.
_ZONE = ZoneInfo("Asia/Shanghai")


def sold_by(entry: AttentionEntry) -> ColumnElement[bool]:
    """The SQL condition: a policy sold by the entry's salesperson, team or branch."""
    column = {AttentionSubject.SALESPERSON: Policy.salesperson, AttentionSubject.TEAM: Policy.team,
              AttentionSubject.BRANCH: Policy.branch}[entry.subject_kind]  # fmt: skip
    if entry.within_branch:
        return and_(column == entry.subject_name, Policy.branch == entry.within_branch)
    return column == entry.subject_name


def violations_since(session: Session, entry: AttentionEntry, since: date) -> int:
    """Confirmed flags and misleading-sale complaints on the subject's policies since a day."""
    start = datetime.combine(since, time(), _ZONE).astimezone(UTC)
    confirmed = (
        select(func.count(FlagDisposition.id))
        .join(CallRecord, CallRecord.id == FlagDisposition.call_id)
        .join(Policy, Policy.id == CallRecord.policy_id)
        .where(FlagDisposition.decision == Decision.CONFIRMED,
               FlagDisposition.decided_at >= start, sold_by(entry))
    )  # fmt: skip
    complaints = (
        select(func.count(Complaint.id)).join(Policy, Policy.id == Complaint.policy_id)
        .where(Complaint.category == ComplaintCategory.MISLEADING_SALE,
               Complaint.received_at >= start, sold_by(entry))
    )  # fmt: skip
    return (session.scalar(confirmed) or 0) + (session.scalar(complaints) or 0)
