"""Recording a policy's end (合同终止): the day and why, written to the audit trail with who.

Retention (storage.retention) counts a policy's legal floor from this day; until it is
recorded, a policy without a fixed term is kept, and with it every call about it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.audit import Actor, record_change
from storage.models import Policy, PolicyEndReason

# The reasons as the policy-service system names them, for operators who type those.
REASON_NAMES = {
    "犹豫期退保": PolicyEndReason.COOLING_OFF_SURRENDER,
    "退保": PolicyEndReason.SURRENDER,
    "满期": PolicyEndReason.MATURITY,
    "理赔终止": PolicyEndReason.CLAIM_TERMINATION,
    "其他": PolicyEndReason.OTHER,
}


class PolicyEndError(ValueError):
    """An end that cannot be recorded as given; one line says why."""


def end_reason(text: str) -> PolicyEndReason:
    """The reason named by its value (surrender) or its Chinese name (退保)."""
    word = text.strip()
    if word in REASON_NAMES:
        return REASON_NAMES[word]
    try:
        return PolicyEndReason(word.lower())
    except ValueError:
        names = ", ".join(f"{reason.value} ({name})" for name, reason in REASON_NAMES.items())
        raise PolicyEndError(f"unknown reason {word!r}: one of {names}") from None


def _check(policy: Policy, on: date, reason: PolicyEndReason, today: date) -> None:
    """PolicyEndError for an end before the sign date, in the future, or a 犹豫期退保 after
    the 犹豫期."""
    if on < policy.sign_date:
        raise PolicyEndError(f"{on} is before the policy was signed ({policy.sign_date})")
    if on > today:
        raise PolicyEndError(f"{on} has not come yet: record an end once it happened")
    if reason is PolicyEndReason.COOLING_OFF_SURRENDER and on > policy.cooling_off_deadline:
        raise PolicyEndError(
            f"a cooling-off surrender (犹豫期退保) on {on} is after the 犹豫期 ended"
            f" ({policy.cooling_off_deadline}): use surrender (退保)"
        )


def end_policy(session: Session, actor: Actor, policy_no: str, on: date,
               reason: PolicyEndReason, *, now: datetime | None = None) -> Policy:
    """Record (or correct) the day the policy's contract ended and why; audited as policy.end."""
    wanted = policy_no.strip().upper()
    policy = session.scalar(select(Policy).where(Policy.policy_no == wanted))
    if policy is None:
        raise PolicyEndError(f"no policy {wanted}")
    moment = now or datetime.now(UTC)
    _check(policy, on, reason, moment.date())
    if (policy.ended_on, policy.end_reason) == (on, reason):
        raise PolicyEndError(f"policy {wanted} is already recorded as ended on {on} ({reason})")
    before = {"ended_on": policy.ended_on, "end_reason": policy.end_reason}
    policy.ended_on, policy.end_reason, policy.updated_at = on, reason, moment
    session.flush()
    record_change(session, actor, "policy.end", "policy", policy.id, before,
                  {"ended_on": on, "end_reason": reason}, at=moment)
    return policy
