"""Every rule family fires on typical wording and stays quiet on acknowledgements."""

from __future__ import annotations

import pytest
from assist_fixtures import factory, flags, rule_ids

from agent_assist.events import Category

FIRES = [
    ("deceive.exaggerated_benefit", "他说这个保险什么病都能赔"),
    ("deceive.exaggerated_benefit", "说是年化收益能有百分之九"),
    ("deceive.as_deposit", "柜员跟我说这是定期存款"),
    ("deceive.as_deposit", "我一直以为是理财产品"),
    ("deceive.fake_gift", "他说这份保险是免费赠送的"),
    ("deceive.fake_gift", "他说买了送一台电饭煲，到现在也没见着"),
    ("deceive.fake_gift", "讲好的赠品一直没给我"),
    ("deceive.fake_withdrawal", "业务员说下个月就停售了"),
    ("conceal.exclusions", "哪些情况不赔他没说"),
    ("conceal.surrender_loss", "没人告诉我提前退保会扣钱"),
    ("conceal.surrender_loss", "他说退保没有任何损失"),
    ("conceal.fees", "我不知道每年要扣管理费"),
    ("conceal.dividend_uncertainty", "他说分红是保证的"),
    ("conceal.dividend_uncertainty", "分红他说每年肯定有，而且是固定的"),
    ("conceal.waiting_period", "我不知道还有等待期"),
    ("conceal.cooling_off", "业务员没说有犹豫期"),
    ("induce.guaranteed_return", "说是稳赚不赔的"),
    ("induce.replace_old_policy", "他让我把原来的保单退了买这个"),
    ("induce.rate_comparison", "他说这个比存银行划算多了"),
    ("process.signature_by_other", "签名是业务员替我签的"),
    ("process.callback_by_other", "我妈不方便，我替她回答"),
    ("process.info_tampering", "业务员把我的电话改成他的了"),
]

QUIET = [
    "我知道这个不是存款",
    "我清楚退保有损失",
    "我知道有等待期",
    "我知道有十五天的犹豫期",
    "分红是不保证的，我知道",
    "免责条款我都看过了",
    "我自己签的名",
    "我是本人",
    "电话是我自己的",
    "我原来的保险还留着，没退",
    "银行存款利息多少",
    "赠品我不在乎，主要是看保障",
    "我就是想问问分红保证不保证",
    "健康告知我自己如实填的",
]


@pytest.mark.parametrize(("rule_id", "text"), FIRES)
def test_rule_fires(rule_id: str, text: str) -> None:
    assert rule_id in rule_ids(text)


@pytest.mark.parametrize("text", QUIET)
def test_acknowledgements_and_shared_words_do_not_flag(text: str) -> None:
    assert flags(text) == []


def test_every_subcategory_of_design_is_covered() -> None:
    rules = factory().rule_set.rules
    assert {rule.category for rule in rules} == set(Category)
    assert {rule_id for rule_id, _ in FIRES} == {rule.id for rule in rules}


def test_flag_carries_the_evidence() -> None:
    (flag,) = flags("业务员说保本保息")
    assert flag.rule_id == "induce.guaranteed_return"
    assert flag.category == Category.INDUCEMENT
    assert flag.subcategory == "保本保息/稳赚/承诺收益"
    assert (flag.start, flag.end) == (1.0, 2.5)
    assert flag.text[flag.span[0] : flag.span[1]] == "保本保息" == flag.matched
    assert flag.attributed
    assert flag.explanation and flag.suggested_wording


def test_span_points_into_the_original_text_after_normalisation() -> None:
    text = "業務員說：年化收益８%以上"
    (flag,) = [f for f in flags(text) if f.rule_id == "deceive.exaggerated_benefit"]
    assert text[flag.span[0] : flag.span[1]].endswith("８%")
