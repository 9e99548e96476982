"""Phone cues over the stored policies signed in a date window (reads only, never writes)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent_assist.phone_cue_rules import find_phone_cues
from agent_assist.phone_cues import PhoneCue, PhoneCueSettings
from agent_assist.phone_records import PhoneChange, PolicyFacts
from storage.models import Policy
from storage.phone_changes import stored_phone_changes


def policies_signed_between(
    session: Session, since: date, until: date | None = None
) -> list[PolicyFacts]:
    """The facts of the policies signed from `since` to `until` (inclusive), oldest first."""
    query = select(Policy).where(Policy.sign_date >= since)
    if until is not None:
        query = query.where(Policy.sign_date <= until)
    query = query.order_by(Policy.sign_date, Policy.policy_no)
    return [policy_facts(policy) for policy in session.scalars(query)]


def scan_phone_cues(
    session: Session,
    since: date,
    changes: Sequence[PhoneChange] = (),
    settings: PhoneCueSettings | None = None,
    until: date | None = None,
) -> list[PhoneCue]:
    """Every phone cue among the policies signed in the window, most urgent first.

    The phone changes are the stored ones of these policies (`huifang policies
    phone-changes`) plus any the caller hands in (a change file); the same change twice counts
    once.
    """
    policies = policies_signed_between(session, since, until)
    stored = stored_phone_changes(session, [policy.policy_no for policy in policies])
    merged = list(dict.fromkeys([*stored, *changes]))
    return find_phone_cues(policies, merged, settings)


def policy_facts(policy: Policy) -> PolicyFacts:
    """The facts of a stored policy (the one adapter from storage's model)."""
    return PolicyFacts(
        policy_no=policy.policy_no,
        holder_name=policy.holder_name,
        holder_id_last4=policy.holder_id_last4,
        phone=policy.phone,
        sign_date=policy.sign_date,
        salesperson=policy.salesperson,
        branch=policy.branch,
        team=policy.team,
        outlet=policy.outlet,
    )
