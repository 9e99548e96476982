"""Every product family's script loads, composes the seven items and reads as real prompts."""

from __future__ import annotations

import pytest
from sz_fixtures import INVESTMENT_FAMILIES, make_policy

from scripts_zh.policy import ProductFamily, prompt_values
from scripts_zh.prompts import render_prompt
from scripts_zh.script_loader import load_script
from scripts_zh.script_schema import AnswerKind, step_applies


@pytest.mark.parametrize("family", list(ProductFamily))
@pytest.mark.parametrize("special_attention", [False, True])
def test_every_family_loads_with_the_seven_items(
    family: ProductFamily, special_attention: bool
) -> None:
    script = load_script(family, special_attention=special_attention)
    assert script.family is family
    assert {step.item for step in script.steps if step.item} == set(range(1, 8))
    assert [s.id for s in script.steps[:2]] == ["identity_name", "identity_record"]
    assert script.step("identity_record").expects is AnswerKind.IDENTITY_RECORD
    ids = [step.id for step in script.steps]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("family", list(ProductFamily))
def test_investment_families_add_returns_uncertain(family: ProductFamily) -> None:
    ids = {step.id for step in load_script(family).steps}
    assert ("returns_uncertain" in ids) is (family in INVESTMENT_FAMILIES)


def test_families_word_uncertain_returns_their_own_way() -> None:
    prompts = {f: load_script(f).step("returns_uncertain").prompt for f in INVESTMENT_FAMILIES}
    assert "红利" in prompts[ProductFamily.PARTICIPATING]
    assert "最低保证利率" in prompts[ProductFamily.UNIVERSAL]
    assert "亏损" in prompts[ProductFamily.UNIT_LINKED]


def test_special_attention_is_stricter() -> None:
    plain = load_script(ProductFamily.TRADITIONAL)
    strict = load_script(ProductFamily.TRADITIONAL, special_attention=True)
    extra = [s.id for s in strict.steps if s.id not in {p.id for p in plain.steps}]
    assert "no_promised_returns" in extra and "own_phone_number" in extra
    assert strict.step("no_promised_returns").expects is AnswerKind.DENY
    assert strict.explained_item_is_problem and not plain.explained_item_is_problem
    assert strict.version != plain.version


def test_prompts_render_for_a_policy_without_holes_or_fold_spaces() -> None:
    policy = make_policy()
    script = load_script(policy.family, special_attention=True)
    texts = [script.messages.opening, script.messages.not_policyholder]
    texts += [s.prompt for s in script.steps] + [e for s in script.steps for e in s.explanations]
    for text in texts:
        rendered = render_prompt(text, policy)
        assert "{" not in rendered and " " not in rendered
    assert "王秀英女士" in render_prompt(script.step("identity_name").prompt, policy)
    assert set(prompt_values(policy)) >= {"holder_name", "cooling_off_days"}


def test_payment_item_only_for_regular_premiums() -> None:
    step = load_script(ProductFamily.TRADITIONAL).step("payment_period")
    assert step_applies(step, make_policy(payment_years=10))
    assert not step_applies(step, make_policy(payment_years=1))
