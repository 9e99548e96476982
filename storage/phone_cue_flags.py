"""Phone cues (号码线索) stored as flags on the policies they concern, each with the other
policies it links; recomputed after every policy import and phone-change import.

A separate step the importing commands call after the import's own transaction, so the
import itself stays what it was. The cues are recomputed over the policies signed around the
imported ones (the range and change windows), and each policy's phone-cue flags become the
current ones: a flag that still holds is kept as raised, a new one is added, one that no
longer holds goes. The review console lists them, filtered, with 集中 counts per salesperson
and outlet.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import ColumnElement, case, delete, func, select
from sqlalchemy.orm import Session, selectinload

from agent_assist.phone_cues import PhoneCue, PhoneCueSettings
from storage.attention_models import PolicyFlag, PolicyFlagKind, PolicyFlagLink
from storage.database import Database
from storage.models import Policy
from storage.phone_cue_scan import scan_phone_cues

# Policy ids per IN query: far below SQLite's and PostgreSQL's parameter limits.
_BATCH = 500


@dataclass(frozen=True)
class PhoneCueFlagging:
    """What a recomputation did."""

    cues: int  # phone cues found around the imported policies
    added: int  # flags raised now
    removed: int  # flags that no longer hold


def flag_phone_cues(session: Session, policy_nos: Iterable[str], now: datetime,
                    settings: PhoneCueSettings | None = None) -> PhoneCueFlagging:
    """Recompute the phone cues around these policies and store them as policy flags."""
    settings = settings or PhoneCueSettings()
    wanted = sorted({no.strip().upper() for no in policy_nos})
    signed = _sign_dates(session, wanted)
    if not signed:
        return PhoneCueFlagging(0, 0, 0)
    reach = timedelta(days=max(settings.range_window_days, settings.change_window_days))
    since, until = min(signed) - reach, max(signed) + reach
    cues = scan_phone_cues(session, since, settings=settings, until=until)
    window = {p.policy_no: p for p in session.scalars(
        select(Policy).where(Policy.sign_date >= since, Policy.sign_date <= until))}
    current = {_key(policy_no, cue): cue for cue in cues for policy_no in cue.policy_nos
               if policy_no in window}
    stored = _stored(session, [policy.id for policy in window.values()])
    stale = [flag.id for key, flag in stored.items() if key not in current]
    if stale:
        session.execute(delete(PolicyFlag).where(PolicyFlag.id.in_(stale)))
    added = [(key, cue) for key, cue in current.items() if key not in stored]
    for (policy_no, *_), cue in added:
        session.add(_flag(window[policy_no], cue, now))
    session.flush()
    return PhoneCueFlagging(len(cues), len(added), len(stale))


def flag_stored_phone_cues(database: Database, policy_nos: Iterable[str],
                           now: datetime | None = None) -> PhoneCueFlagging:
    """flag_phone_cues in a transaction of its own (the step after an import)."""
    with database.session() as session:
        return flag_phone_cues(session, policy_nos, now or datetime.now(UTC))


@dataclass(frozen=True)
class PhoneCueFilter:
    """Which phone-cue flags the console lists; empty fields do not filter."""

    cue: str | None = None  # number_range / shared_number / changed_after_purchase
    severity: str | None = None
    salesperson: str | None = None
    outlet: str | None = None
    branch: str | None = None


_SEVERITY_ORDER = case((PolicyFlag.severity == "high", 0), (PolicyFlag.severity == "medium", 1),
                       else_=2)


def phone_cue_flags(session: Session, wanted: PhoneCueFilter = PhoneCueFilter(), *,
                    limit: int = 100, offset: int = 0) -> list[PolicyFlag]:
    """Phone-cue flags with their policy and links, most urgent and newest first."""
    query = (
        select(PolicyFlag)
        .join(Policy, Policy.id == PolicyFlag.policy_id)
        .where(*_conditions(wanted))
        .options(selectinload(PolicyFlag.policy), selectinload(PolicyFlag.links))
        .order_by(_SEVERITY_ORDER, PolicyFlag.raised_at.desc(), PolicyFlag.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(query))


@dataclass(frozen=True)
class Concentration:
    """One salesperson's (or outlet's) phone-cue flags: 集中 of number cues in one place."""

    name: str
    branch: str
    policies: int  # distinct flagged policies
    cues: dict[str, int]  # flags per cue kind


def concentration(session: Session, by: str, wanted: PhoneCueFilter = PhoneCueFilter(),
                  limit: int = 50) -> list[Concentration]:
    """Flagged policies per salesperson or outlet (`by`), the most concentrated first."""
    column = {"salesperson": Policy.salesperson, "outlet": Policy.outlet}[by]
    query = (
        select(column, Policy.branch, PolicyFlag.cue, PolicyFlag.policy_id)
        .join(Policy, Policy.id == PolicyFlag.policy_id)
        .where(*_conditions(wanted))
    )
    policies: dict[tuple[str, str], set[int]] = {}
    cues: dict[tuple[str, str], Counter[str]] = {}
    for name, branch, cue, policy_id in session.execute(query):
        group = (name, branch)
        policies.setdefault(group, set()).add(policy_id)
        cues.setdefault(group, Counter())[cue or ""] += 1
    ranked = sorted(policies, key=lambda g: (-len(policies[g]), g))
    return [Concentration(name, branch, len(policies[(name, branch)]),
                          dict(cues[(name, branch)])) for name, branch in ranked[:limit]]


def count_phone_cue_flags(session: Session, wanted: PhoneCueFilter = PhoneCueFilter()) -> int:
    """How many flags phone_cue_flags would list without a limit."""
    query = (select(func.count(PolicyFlag.id)).join(Policy, Policy.id == PolicyFlag.policy_id)
             .where(*_conditions(wanted)))
    return session.scalar(query) or 0


def _conditions(wanted: PhoneCueFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [PolicyFlag.kind == PolicyFlagKind.PHONE_CUE]
    for column, value in [(PolicyFlag.cue, wanted.cue), (PolicyFlag.severity, wanted.severity),
                          (Policy.salesperson, wanted.salesperson),
                          (Policy.outlet, wanted.outlet), (Policy.branch, wanted.branch)]:
        if value is not None and value.strip():
            conditions.append(column == value.strip())
    return conditions


FlagKey = tuple[str, str, tuple[str, ...], str]


def _key(policy_no: str, cue: PhoneCue) -> FlagKey:
    """One cue on one policy: its kind, the policies it links and what it says."""
    return (policy_no, cue.kind.value, tuple(sorted(cue.policy_nos)), cue.message)


def _stored(session: Session, policy_ids: list[int]) -> dict[FlagKey, PolicyFlag]:
    """The phone-cue flags these policies carry now, by key."""
    found: dict[FlagKey, PolicyFlag] = {}
    for start in range(0, len(policy_ids), _BATCH):
        query = (
            select(PolicyFlag)
            .where(PolicyFlag.policy_id.in_(policy_ids[start : start + _BATCH]),
                   PolicyFlag.kind == PolicyFlagKind.PHONE_CUE)
            .options(selectinload(PolicyFlag.policy), selectinload(PolicyFlag.links))
        )
        for flag in session.scalars(query):
            linked = tuple(sorted([flag.policy.policy_no,
                                   *(link.policy_no for link in flag.links)]))
            found[(flag.policy.policy_no, flag.cue or "", linked, flag.reason)] = flag
    return found


def _flag(policy: Policy, cue: PhoneCue, now: datetime) -> PolicyFlag:
    return PolicyFlag(
        policy_id=policy.id, kind=PolicyFlagKind.PHONE_CUE, cue=cue.kind.value,
        severity=cue.severity.value, reason=cue.message, raised_at=now,
        links=[PolicyFlagLink(policy_no=other) for other in dict.fromkeys(cue.policy_nos)
               if other != policy.policy_no],
    )


def _sign_dates(session: Session, policy_nos: list[str]) -> list[date]:
    dates: list[date] = []
    for start in range(0, len(policy_nos), _BATCH):
        query = select(Policy.sign_date).where(
            Policy.policy_no.in_(policy_nos[start : start + _BATCH]))
        dates += list(session.scalars(query))
    return dates
