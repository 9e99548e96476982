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
from storage.dedicated_callbacks import dedicated_agent
from storage.models import Policy
from storage.policy_view import policy_record, policyholder_from_policy
from storage.repository import REACHED, Repository

_TITLE_GENDER = {"先生": VoiceGender.MALE, "女士": VoiceGender.FEMALE}


class UnknownPolicyError(LookupError):
    """A policy number the database does not hold."""


class DedicatedAgentError(LookupError):
    """The policy was given to a named agent (专人回访): the robot does not call it."""


@dataclass(frozen=True)
class DedicatedAgent:
    """The named agent a special-attention listing gave a policy's callback to."""

    user_id: int
    username: str


@dataclass(frozen=True)
class StoredPolicy:
    """A policy's database id, the record its script runs with and its holder's record."""

    policy_id: int
    record: PolicyRecord
    holder: PolicyholderRecord
    # 专人回访: every kind of call leaves the policy to this agent instead of the robot.
    dedicated_agent: DedicatedAgent | None = None


def callback_policy(session: Session, policy: Policy, today: date | None = None) -> PolicyRecord:
    """The PolicyRecord to call `policy`'s holder back with.

    The stricter script variant is chosen when the salesperson, team or branch is on the
    special-attention list (特别关注) today (reported or under observation): the suspicion
    covers what they sold before being listed, and a revoked entry no longer applies.
    """
    listed = on_attention_list(session, policy, today or date.today())
    return policy_record(policy, special_attention=listed)


def stored_policy(session: Session, policy: Policy) -> StoredPolicy:
    """The views of a stored policy a call needs, and the named agent it was given to."""
    agent = dedicated_agent(session, policy.id)
    return StoredPolicy(policy.id, callback_policy(session, policy),
                        policyholder_from_policy(policy),
                        DedicatedAgent(agent.id, agent.username) if agent else None)


def load_policy(database: Database, policy_no: str) -> StoredPolicy:
    """The stored policy with this number; UnknownPolicyError if there is none."""
    with database.session() as session:
        policy = Repository(session).policy(policy_no)
        if policy is None:
            raise UnknownPolicyError(f"no policy {policy_no.strip()!r} in the database")
        return stored_policy(session, policy)


def robot_policy(database: Database, policy_no: str) -> StoredPolicy:
    """The stored policy for a robot callback (`huifang call`, a campaign attempt, the desk's
    预回访): UnknownPolicyError if there is none, DedicatedAgentError if a named agent has it."""
    policy = load_policy(database, policy_no)
    if policy.dedicated_agent is not None:
        raise DedicatedAgentError(
            f"policy {policy.record.policy_no} is called back by agent "
            f"{policy.dedicated_agent.username} (专人回访), not by the robot")
    return policy


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
