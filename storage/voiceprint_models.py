"""Tables of the voiceprints shared by every node (声纹, personal data): one row per call leg,
the holder named only by keyed pseudonym; the deletions and one state row, for the nodes' caches.

Import Base from storage.models; storage.models imports this module at its end so that
Base.metadata (Alembic, the schema test) holds every table.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.column_types import UtcDateTime
from storage.models import Base


class StoredVoiceprint(Base):
    """One call leg's voiceprint: float32 embedding bytes, whose pseudonym, and the sales chain."""

    __tablename__ = "voiceprints"
    # Ids never reused (SQLite would reuse the highest after a deletion): caches follow them.
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    # `hmac:<key id>:<32 hex>` (agent_assist.voiceprint_pseudonyms): never a name or ID number.
    holder: Mapped[str] = mapped_column(String(64), index=True)
    policy_no: Mapped[str] = mapped_column(String(32), index=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    leg: Mapped[str] = mapped_column(String(16))
    salesperson: Mapped[str] = mapped_column(String(50), default="")
    team: Mapped[str] = mapped_column(String(50), default="")
    outlet: Mapped[str] = mapped_column(String(100), default="")
    branch: Mapped[str] = mapped_column(String(50), default="")
    embedding: Mapped[bytes] = mapped_column(LargeBinary)  # VOICEPRINT_DIM float32, little-endian
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class VoiceprintState(Base):
    """One row, locked by every change so that ids rise in commit order: `deletions` is the
    last deletion's id (a process's cache drops what was deleted since it looked), `additions`
    counts additions, `pruned_through` the last deletion record pruned (a cache older than it
    reloads whole)."""

    __tablename__ = "voiceprint_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    deletions: Mapped[int] = mapped_column(default=0)
    additions: Mapped[int] = mapped_column(default=0)
    pruned_through: Mapped[int] = mapped_column(default=0)


class VoiceprintDeletion(Base):
    """Which voiceprint row went (its id only, nothing of the person), for the other processes'
    caches; pruned after a week."""

    __tablename__ = "voiceprint_deletions"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    voiceprint_id: Mapped[int]
    deleted_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
