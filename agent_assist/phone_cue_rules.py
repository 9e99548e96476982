"""The three phone-number cues over policy facts: number range, shared number, early change."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from agent_assist.phone_cues import (
    PhoneCue,
    PhoneCueKind,
    PhoneCueSettings,
    graded,
    masked_list,
    ranked,
)
from agent_assist.phone_records import NumberRange, PhoneChange, PolicyFacts, is_landline
from zhtext.phones import mask_phone

Seller = tuple[str, str]


def find_phone_cues(
    policies: Sequence[PolicyFacts],
    changes: Sequence[PhoneChange] = (),
    settings: PhoneCueSettings | None = None,
) -> list[PhoneCue]:
    """Every phone cue over these policies and change records, most urgent first."""
    settings = settings or PhoneCueSettings()
    return ranked(
        number_range_cues(policies, settings)
        + shared_number_cues(policies, settings)
        + changed_after_purchase_cues(policies, changes, settings)
    )


# -- several new policies of one salesperson on numbers in one range -----------------------


def number_range_cues(
    policies: Sequence[PolicyFacts], settings: PhoneCueSettings
) -> list[PhoneCue]:
    """One cue per salesperson and range with enough distinct numbers signed close together."""
    groups: dict[tuple[Seller, NumberRange], list[PolicyFacts]] = defaultdict(list)
    for policy in policies:
        number_range = NumberRange.of(policy.phone)
        if number_range is not None and policy.salesperson.strip():
            groups[(policy.seller, number_range)].append(policy)
    cues = []
    for (seller, _), members in sorted(groups.items()):
        cluster = _densest(members, settings.range_window_days)
        if len(_numbers(cluster)) >= settings.min_range_numbers:
            cues.append(_range_cue(seller, cluster, settings))
    return cues


def _densest(members: list[PolicyFacts], window_days: int) -> list[PolicyFacts]:
    """The policies signed within window_days of each other on the most distinct numbers."""
    ordered = sorted(members, key=lambda p: (p.sign_date, p.policy_no))
    best: list[PolicyFacts] = []
    for start, first in enumerate(ordered):
        cluster = [
            p for p in ordered[start:] if (p.sign_date - first.sign_date).days <= window_days
        ]
        if len(_numbers(cluster)) > len(_numbers(best)):
            best = cluster
    return best


def _range_cue(seller: Seller, cluster: list[PolicyFacts], settings: PhoneCueSettings) -> PhoneCue:
    numbers = _numbers(cluster)
    span = _span_days(cluster)
    # More numbers than the threshold, or all signed within a quarter of the window, add concern.
    points = len(numbers) - settings.min_range_numbers + int(span * 4 <= settings.range_window_days)
    branch, name = seller
    who = f"业务员{name}（{branch}）" if branch else f"业务员{name}"
    message = (
        f"{who}{span + 1}天内的{len(cluster)}张新保单，联系电话同属一个号段"
        f"（{masked_list(numbers)}）。请核实这些号码是否由投保人本人使用。"
    )
    return PhoneCue(
        PhoneCueKind.NUMBER_RANGE, graded(points), _policy_nos(cluster), numbers, span, message
    )


# -- one number serving several unrelated policyholders -----------------------------------


def shared_number_cues(
    policies: Sequence[PolicyFacts], settings: PhoneCueSettings
) -> list[PhoneCue]:
    """One cue per number registered for enough different policyholders."""
    by_phone: dict[str, list[PolicyFacts]] = defaultdict(list)
    for policy in policies:
        by_phone[policy.phone].append(policy)
    cues = []
    for phone, members in sorted(by_phone.items()):
        holders = {p.holder for p in members}
        needed = (
            settings.min_landline_holders if is_landline(phone) else settings.min_mobile_holders
        )
        if len(holders) >= needed:
            cues.append(_shared_cue(phone, members, len(holders) - needed))
    return cues


def _shared_cue(phone: str, members: list[PolicyFacts], extra_holders: int) -> PhoneCue:
    holders = len({p.holder for p in members})
    sellers = {p.seller for p in members}
    # One salesperson behind every holder on the number is the 替代回访 pattern DESIGN.md names.
    one_seller = len(sellers) == 1 and all(name for _, name in sellers)
    message = f"联系电话{mask_phone(phone)}登记为{holders}位不同投保人的联系电话"
    if one_seller:
        message += f"（均由业务员{members[0].salesperson}销售）"
    message += "。请核实该号码的实际使用人，是否为各投保人本人或其家属。"
    severity = graded(extra_holders + int(one_seller))
    ordered = sorted(members, key=lambda p: (p.sign_date, p.policy_no))
    return PhoneCue(
        PhoneCueKind.SHARED_NUMBER, severity, _policy_nos(ordered), (phone,),
        _span_days(members), message,
    )  # fmt: skip


# -- the number changed within N days after purchase ---------------------------------------


def changed_after_purchase_cues(
    policies: Sequence[PolicyFacts], changes: Iterable[PhoneChange], settings: PhoneCueSettings
) -> list[PhoneCue]:
    """One cue per change made within the window after the policy was signed."""
    by_no = {p.policy_no: p for p in policies}
    by_phone: dict[str, list[PolicyFacts]] = defaultdict(list)
    for policy in policies:
        by_phone[policy.phone].append(policy)
    cues = []
    for change in sorted(changes, key=lambda c: (c.changed_at, c.policy_no)):
        changed = by_no.get(change.policy_no)
        if changed is None or change.old_phone == change.new_phone:
            continue
        days = (change.changed_at.date() - changed.sign_date).days
        if 0 <= days <= settings.change_window_days:
            others = [p for p in by_phone[change.new_phone] if p.holder != changed.holder]
            cues.append(_change_cue(changed, change, days, others, settings))
    return cues


def _change_cue(
    policy: PolicyFacts,
    change: PhoneChange,
    days: int,
    others: list[PolicyFacts],
    settings: PhoneCueSettings,
) -> PhoneCue:
    # The sooner after signing, the likelier the callback is being steered to another phone.
    points = int(days * 2 <= settings.change_window_days) + int(days <= 1) + int(bool(others))
    when = "投保当天" if days == 0 else f"投保后第{days}天"
    message = (
        f"保单{policy.policy_no}{when}将联系电话由{mask_phone(change.old_phone)}"
        f"变更为{mask_phone(change.new_phone)}。"
    )
    if others:
        message += f"新号码同时登记在另外{len({p.holder for p in others})}位投保人的保单上。"
    message += "请向投保人本人核实此次变更。"
    policy_nos = (policy.policy_no, *_policy_nos(others))
    numbers = (change.old_phone, change.new_phone)
    return PhoneCue(
        PhoneCueKind.CHANGED_AFTER_PURCHASE, graded(points), policy_nos, numbers, days, message
    )


# -- shared helpers ------------------------------------------------------------------------


def _numbers(policies: Iterable[PolicyFacts]) -> tuple[str, ...]:
    """The distinct numbers, sorted."""
    return tuple(sorted({p.phone for p in policies}))


def _policy_nos(policies: Iterable[PolicyFacts]) -> tuple[str, ...]:
    """Policy numbers in the given order, each once."""
    return tuple(dict.fromkeys(p.policy_no for p in policies))


def _span_days(policies: Sequence[PolicyFacts]) -> int:
    """Days from the first signing to the last."""
    dates = [p.sign_date for p in policies]
    return (max(dates) - min(dates)).days
