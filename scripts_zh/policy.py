"""The policy record a callback is about (保单信息), as far as scripts and identity need it."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class ProductFamily(StrEnum):
    """Product families that get their own callback script."""

    TRADITIONAL = "传统"
    PARTICIPATING = "分红"
    UNIVERSAL = "万能"
    UNIT_LINKED = "投连"
    HEALTH = "健康/重疾"


@dataclass(frozen=True)
class PolicyRecord:
    """What the insurer's system knows about the new policy and its holder."""

    policy_no: str
    family: ProductFamily
    product_name: str
    holder_name: str
    holder_title: str  # 先生 / 女士, how the prompts address the holder
    holder_birth_date: date
    holder_id_last4: str
    insured_name: str
    premium_yuan: int
    payment_years: int  # 0 for a single premium (趸交)
    payment_frequency: str  # 年交 / 月交 …
    cooling_off_days: int = 15
    company: str = "本公司"
    salesperson_name: str = ""
    special_attention: bool = False  # salesperson, team or branch on the 特别关注 list

    @property
    def regular_premium(self) -> bool:
        """Whether premiums are paid periodically (期交), so item 7 applies."""
        return self.payment_years > 1


# The placeholders a prompt may use: every field above, by name.
PROMPT_FIELDS = frozenset(field.name for field in dataclasses.fields(PolicyRecord))


def prompt_values(policy: PolicyRecord) -> dict[str, str]:
    """The policy's fields as text for filling prompt placeholders."""
    return {name: str(getattr(policy, name)) for name in PROMPT_FIELDS}
