"""The policy a call is about: a stored policy becomes the record its callback script runs
with and the holder record its voice checks compare against."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from agent_assist.voice_cues import PolicyholderRecord
from agent_assist.voice_estimates import VoiceGender
from scripts_zh.policy import PolicyRecord
from storage.attention import on_attention_list
from storage.database import Database
from storage.models import Policy
from storage.policy_view import policy_record, policyholder_from_policy
from storage.repository import REACHED, Repository

_TITLE_GENDER = {"先生": VoiceGender.MALE, "女士": VoiceGender.FEMALE}


class UnknownPolicyError(LookupError):
    """A policy number the database does not hold."""


@dataclass(frozen=True)
class StoredPolicy:
    """A policy's database id, the record its script runs with and its holder's record."""

    policy_id: int
    record: PolicyRecord
    holder: PolicyholderRecord


def callback_policy(session: Session, policy: Policy, today: date | None = None) -> PolicyRecord:
    """The PolicyRecord to call `policy`'s holder back with.

    The stricter script variant is chosen when the salesperson, team or branch is on the
    special-attention list (特别关注) today (reported or under observation): the suspicion
    covers what they sold before being listed, and a revoked entry no longer applies.
    """
    listed = on_attention_list(session, policy, today or date.today())
    return policy_record(policy, special_attention=listed)


def stored_policy(session: Session, policy: Policy) -> StoredPolicy:
    """The three views of a stored policy a call needs."""
    return StoredPolicy(policy.id, callback_policy(session, policy),
                        policyholder_from_policy(policy))


def load_policy(database: Database, policy_no: str) -> StoredPolicy:
    """The stored policy with this number; UnknownPolicyError if there is none."""
    with database.session() as session:
        policy = Repository(session).policy(policy_no)
        if policy is None:
            raise UnknownPolicyError(f"no policy {policy_no.strip()!r} in the database")
        return stored_policy(session, policy)


def policy_for_caller(database: Database, caller: str, today: date) -> StoredPolicy | None:
    """The policy an inbound caller's number holds (see `choose_policy`), None if none."""
    with database.session() as session:
        policies = Repository(session).policies_for_caller(caller)
        reached = {p.id for p in policies if any(c.dialogue_outcome in REACHED for c in p.calls)}
        policy = choose_policy(policies, today, reached)
        return None if policy is None else stored_policy(session, policy)


def choose_policy(policies: list[Policy], today: date, reached: set[int]) -> Policy | None:
    """Which of a number's policies an inbound call is about.

    The nearest 犹豫期 deadline not yet passed, preferring policies whose holder has not yet
    gone through the script (their callback is still owed); when every deadline has passed,
    the newest policy (`policies` comes newest first).
    """
    open_ = [p for p in policies if p.cooling_off_deadline >= today]
    if not open_:
        return policies[0] if policies else None
    return min(open_, key=lambda p: (p.id in reached, p.cooling_off_deadline, p.policy_no))


def customer_uri_for(database: Database, policy_no: str, template: str) -> str:
    """The SIP URI of the policyholder's phone from a template like sip:{phone}@gateway."""
    with database.session() as session:
        policy = Repository(session).policy(policy_no)
        if policy is None:
            raise UnknownPolicyError(f"no policy {policy_no.strip()!r} in the database")
        return template.format(phone=policy.phone)


def holder_of_record(policy: PolicyRecord) -> PolicyholderRecord | None:
    """The holder of a policy given as a record only (`huifang call --policy-json`); None
    when its form of address says no gender (the voice cues then judge the voice alone)."""
    gender = _TITLE_GENDER.get(policy.holder_title)
    if gender is None:
        return None
    return PolicyholderRecord(
        policyholder_id=f"{policy.holder_name}|{policy.holder_birth_date}|{policy.holder_id_last4}",
        policy_no=policy.policy_no,
        gender=gender,
        birth_date=policy.holder_birth_date,
        salesperson=policy.salesperson_name,
    )
