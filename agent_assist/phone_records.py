"""What the phone-number cues read: policy facts, phone-change records and number ranges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from zhtext.phones import normalise_phone

# Same first 7 digits of a mainland mobile: carrier segment (138) plus the HLR block (1234),
# i.e. numbers issued together, as SIM cards bought in one batch are.
RANGE_DIGITS = 7
# The insurer's systems log local time; China keeps one zone without daylight saving.
BEIJING = timezone(timedelta(hours=8), "CST")


@dataclass(frozen=True, slots=True)
class PolicyFacts:
    """The parts of a policy the phone cues compare; phone in storage's canonical digits."""

    policy_no: str
    holder_name: str
    holder_id_last4: str
    phone: str
    sign_date: date
    salesperson: str
    branch: str = ""
    team: str = ""
    outlet: str = ""

    def __post_init__(self) -> None:
        # Hand-built facts and storage's rows then compare alike; a non-number raises ValueError.
        object.__setattr__(self, "phone", normalise_phone(self.phone))
        object.__setattr__(self, "policy_no", policy_key(self.policy_no))

    @property
    def holder(self) -> tuple[str, str]:
        """Who holds the policy: name and ID last four (two people may share a name)."""
        return (self.holder_name.strip(), self.holder_id_last4.strip().upper())

    @property
    def seller(self) -> tuple[str, str]:
        """The salesperson, told apart by branch: names repeat across a national insurer."""
        return (self.branch.strip(), self.salesperson.strip())


@dataclass(frozen=True, slots=True)
class PhoneChange:
    """One change of a policy's contact number, as the policy-service system logged it."""

    policy_no: str
    old_phone: str
    new_phone: str
    changed_at: datetime  # naive Beijing time, the clock sign dates are read on

    def __post_init__(self) -> None:
        if self.changed_at.tzinfo is not None:  # a stored (UTC) or zoned time: compare alike
            local = self.changed_at.astimezone(BEIJING).replace(tzinfo=None)
            object.__setattr__(self, "changed_at", local)
        object.__setattr__(self, "old_phone", normalise_phone(self.old_phone))
        object.__setattr__(self, "new_phone", normalise_phone(self.new_phone))
        object.__setattr__(self, "policy_no", policy_key(self.policy_no))


@dataclass(frozen=True, slots=True, order=True)
class NumberRange:
    """A block of mobile numbers sharing their first seven digits (号段)."""

    prefix: str

    @classmethod
    def of(cls, phone: str) -> NumberRange | None:
        """The range of a canonical mobile; None for a landline (its prefix is an exchange)."""
        return None if is_landline(phone) else cls(phone[:RANGE_DIGITS])


def policy_key(policy_no: str) -> str:
    """A policy number as storage keeps it: stripped, upper case."""
    return policy_no.strip().upper()


def is_landline(phone: str) -> bool:
    """Whether the canonical number is a landline: canonical mobiles start with 1, landlines 0."""
    return phone.startswith("0")

