"""A policy as JSON-ready data (masked for roles that need not see personal data), as the
PolicyRecord the callback scripts take, and as the PolicyholderRecord the voice checks take."""

from __future__ import annotations

from typing import Any

from agent_assist.voice_cues import PolicyholderRecord
from agent_assist.voice_estimates import VoiceGender
from scripts_zh.policy import PolicyRecord, ProductFamily
from storage.families import FAMILY_CODES
from storage.masking import mask_id_last4, mask_phone
from storage.models import Gender, Policy

# Fields shown as stored; the phone and ID digits are added masked or not.
_PLAIN_FIELDS = (
    "policy_no", "product_name", "holder_name", "insured_name", "premium_yuan",
    "payment_years", "payment_frequency", "cooling_off_days", "salesperson", "team",
    "outlet", "branch", "coverage_term",
)  # fmt: skip
# What the prompts call the product when the import file had no product name.
_GENERIC_PRODUCT = {
    ProductFamily.TRADITIONAL: "人寿保险",
    ProductFamily.PARTICIPATING: "分红型保险",
    ProductFamily.UNIVERSAL: "万能型保险",
    ProductFamily.UNIT_LINKED: "投资连结型保险",
    ProductFamily.HEALTH: "健康保险",
}
_DATE_FIELDS = ("holder_birth_date", "sign_date", "receipt_date", "cooling_off_deadline")


def policy_view(policy: Policy, *, masked: bool = True) -> dict[str, Any]:
    """The policy as a JSON-ready dict; masked hides the phone's middle and the ID digits."""
    view: dict[str, Any] = {name: getattr(policy, name) for name in _PLAIN_FIELDS}
    view["family"] = FAMILY_CODES[policy.family]
    view["holder_gender"] = policy.holder_gender.value
    view.update({name: getattr(policy, name).isoformat() for name in _DATE_FIELDS})
    view["phone"] = mask_phone(policy.phone) if masked else policy.phone
    view["holder_id_last4"] = (
        mask_id_last4(policy.holder_id_last4) if masked else policy.holder_id_last4
    )
    view["ended_on"] = policy.ended_on.isoformat() if policy.ended_on else None
    view["end_reason"] = policy.end_reason.value if policy.end_reason else None
    view["masked"] = masked
    return view


def policy_record(policy: Policy, *, special_attention: bool = False) -> PolicyRecord:
    """The record scripts_zh's dialogue needs to call this policy's holder back."""
    return PolicyRecord(
        policy_no=policy.policy_no,
        family=policy.family,
        product_name=policy.product_name or _GENERIC_PRODUCT[policy.family],
        holder_name=policy.holder_name,
        holder_title="先生" if policy.holder_gender is Gender.MALE else "女士",
        holder_birth_date=policy.holder_birth_date,
        holder_id_last4=policy.holder_id_last4,
        insured_name=policy.insured_name or policy.holder_name,
        premium_yuan=policy.premium_yuan,
        payment_years=policy.payment_years,
        payment_frequency=policy.payment_frequency,
        cooling_off_days=policy.cooling_off_days,
        salesperson_name=policy.salesperson,
        special_attention=special_attention,
    )


def policyholder_from_policy(policy: Policy) -> PolicyholderRecord:
    """The record of a stored policy; the holder is known by name, birth date and ID last four."""
    return PolicyholderRecord(
        policyholder_id=f"{policy.holder_name}|{policy.holder_birth_date}|{policy.holder_id_last4}",
        policy_no=policy.policy_no,
        gender=VoiceGender(policy.holder_gender.value),
        birth_date=policy.holder_birth_date,
        salesperson=policy.salesperson,
        team=policy.team,
        outlet=policy.outlet,
        branch=policy.branch,
    )
