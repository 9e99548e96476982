"""Who is on the special-attention list (特别关注) on a given day, for one policy's sellers."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from storage.attention_models import AttentionEntry, AttentionStatus, AttentionSubject
from storage.models import Policy

_SPACES = re.compile(r"\s+")
# Chinese names for the subjects, as the agent and reviewer read them.
SUBJECT_LABELS = {
    AttentionSubject.SALESPERSON: "业务员",
    AttentionSubject.TEAM: "团队",
    AttentionSubject.BRANCH: "分公司",
}


def normalise_name(text: str) -> str:
    """A name as the list keeps and compares it: half-width, single spaces, trimmed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip()


@dataclass(frozen=True, slots=True)
class SalesChannel:
    """Who sold a policy: salesperson, team and branch, names normalised for comparing."""

    salesperson: str
    team: str
    branch: str

    def __post_init__(self) -> None:
        for name in ("salesperson", "team", "branch"):
            object.__setattr__(self, name, normalise_name(getattr(self, name)))

    @classmethod
    def of(cls, policy: Policy) -> SalesChannel:
        """The channel a stored policy was sold through."""
        return cls(policy.salesperson, policy.team, policy.branch)

    def names(self) -> set[str]:
        """The non-empty names an entry could be listed under."""
        return {name for name in (self.salesperson, self.team, self.branch) if name}


def active_on(entry: AttentionEntry, on: date) -> bool:
    """Whether the entry was reported or under observation on that day."""
    if entry.effective_from > on:
        return False
    return entry.revoked_on is None or on < entry.revoked_on


def names_channel(entry: AttentionEntry, channel: SalesChannel) -> bool:
    """Whether the entry names this channel's salesperson, team or branch."""
    if entry.subject_kind is AttentionSubject.BRANCH:
        return entry.subject_name == channel.branch
    listed = (
        channel.salesperson if entry.subject_kind is AttentionSubject.SALESPERSON else channel.team
    )
    in_branch = not entry.within_branch or entry.within_branch == channel.branch
    return entry.subject_name == listed and in_branch


def covers(entry: AttentionEntry, channel: SalesChannel, on: date) -> bool:
    """Whether a policy sold through `channel` on day `on` falls under this entry."""
    return active_on(entry, on) and names_channel(entry, channel)


def matching_entries(session: Session, channel: SalesChannel, on: date) -> list[AttentionEntry]:
    """The entries active on `on` that name the channel's salesperson, team or branch, by id.

    Pass a policy's sign date to ask whether it was sold while listed, or today to ask
    whether its callback needs the stricter script.
    """
    names = channel.names()
    if not names:
        return []
    query = (
        select(AttentionEntry)
        .where(
            AttentionEntry.subject_name.in_(names),
            AttentionEntry.effective_from <= on,
            or_(AttentionEntry.revoked_on.is_(None), AttentionEntry.revoked_on > on),
        )
        .order_by(AttentionEntry.id)
    )
    return [entry for entry in session.scalars(query) if covers(entry, channel, on)]


def on_attention_list(session: Session, policy: Policy, on: date) -> bool:
    """Whether the policy's salesperson, team or branch is on the list on that day."""
    return bool(matching_entries(session, SalesChannel.of(policy), on))


def status_on(entry: AttentionEntry, on: date) -> AttentionStatus | None:
    """The entry's status on that day from its history; None before it was reported."""
    status = None
    for change in entry.changes:
        if change.effective_on <= on:
            status = change.to_status
    return status


def subject_label(entry: AttentionEntry) -> str:
    """The subject in words: `业务员李明（广东分公司）`, `团队天河一组`, `分公司广东分公司`."""
    label = f"{SUBJECT_LABELS[entry.subject_kind]}{entry.subject_name}"
    return f"{label}（{entry.within_branch}）" if entry.within_branch else label
