"""Filters a console user saved by name on a page (the review queue's 高风险待处理 …).

Import Base from storage.models; storage.models imports this module at its end so that
Base.metadata (Alembic, the schema test) holds every table.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from storage.column_types import UtcDateTime
from storage.models import Base

MAX_FILTERS_PER_PAGE = 50


class SavedFilter(Base):
    """One named filter of one user on one page: the page's query string."""

    __tablename__ = "saved_filters"
    __table_args__ = (UniqueConstraint("user_id", "page", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    page: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(50))
    query: Mapped[str] = mapped_column(String(1000))
    saved_at: Mapped[datetime] = mapped_column(UtcDateTime())


class TooManyFiltersError(ValueError):
    """The user already keeps MAX_FILTERS_PER_PAGE filters on the page."""


def saved_filters(session: Session, user_id: int, page: str) -> list[SavedFilter]:
    """The user's filters on the page, by name."""
    query = select(SavedFilter).where(SavedFilter.user_id == user_id, SavedFilter.page == page)
    return list(session.scalars(query.order_by(SavedFilter.name)))


def save_filter(session: Session, user_id: int, page: str, name: str, query: str) -> SavedFilter:
    """Save (or overwrite, by name) one of the user's filters on the page."""
    found = session.scalar(
        select(SavedFilter).where(
            SavedFilter.user_id == user_id, SavedFilter.page == page, SavedFilter.name == name
        )
    )
    now = datetime.now(UTC)
    if found is not None:
        found.query, found.saved_at = query, now
        return found
    if len(saved_filters(session, user_id, page)) >= MAX_FILTERS_PER_PAGE:
        raise TooManyFiltersError(f"at most {MAX_FILTERS_PER_PAGE} saved filters per page")
    saved = SavedFilter(user_id=user_id, page=page, name=name, query=query, saved_at=now)
    session.add(saved)
    session.flush()
    return saved


def delete_filter(session: Session, user_id: int, filter_id: int) -> bool:
    """Delete one of the user's own filters; False when there is no such filter of theirs."""
    found = session.get(SavedFilter, filter_id)
    if found is None or found.user_id != user_id:
        return False
    session.delete(found)
    return True
