"""Negation, questions and attribution decide whether a rule word is a claim."""

from __future__ import annotations

import pytest
from assist_fixtures import flags, rule_ids

from agent_assist.events import Category, Leg, Utterance
from agent_assist.misleading_sale import MisleadingSaleDetector
from agent_assist.rule_set import RuleSet

GUARANTEE = "induce.guaranteed_return"


@pytest.mark.parametrize(
    "text",
    [
        "业务员说保本",
        "不是说保本吗",
        "他说不会亏",
        "难道不是保本的吗",
        "这个保本的吧",
        "我不太懂他说保本",
        "不是说保证收益吗",
        "他不是跟我说保本的吗",
    ],
)
def test_claims_flag(text: str) -> None:
    assert GUARANTEE in rule_ids(text)


@pytest.mark.parametrize(
    "text",
    [
        "我知道不保本",
        "我知道会亏",
        "他没说过保本",
        "没有人跟我说保本",
        "这个保本吗",
        "是不是保本的",
        "我不清楚是不是保本，所以想问问",
        "如果业务员说过保本，请告诉我们",
        # A transcript often has no punctuation: the agent asks about a denial, not a claim.
        "这个产品的分红是不确定的不保证收益您清楚吗",
        "本产品不保本您清楚吗",
    ],
)
def test_negations_neutral_questions_and_hypotheticals_do_not_flag(text: str) -> None:
    assert GUARANTEE not in rule_ids(text)


def test_attribution_is_recorded() -> None:
    assert all(flag.attributed for flag in flags("他说不会亏"))
    assert not any(flag.attributed for flag in flags("这个保本的吧"))


def test_rule_worded_with_negation_is_not_cancelled_by_it() -> None:
    assert "process.signature_by_other" in rule_ids("不是我签的名")
    assert "conceal.dividend_uncertainty" in rule_ids("分红不确定这个没跟我说")


def test_negation_closed_by_le_does_not_reach_the_claim() -> None:
    assert "conceal.surrender_loss" in rule_ids("他说中途不想要了可以原价退")


def test_comment_clause_joins_its_topic() -> None:
    assert "conceal.cooling_off" in rule_ids("犹豫期是什么意思，没听说过")
    assert rule_ids("我知道退保有损失，具体能退多少我不清楚") == set()


@pytest.mark.parametrize(("text", "categories"), [
    ("稳赚不赔？那是骗子才说的，他可没这么说。", set()),
    ("跟存银行一样？他没说过这话", set()),
    ("他说稳赚不赔的", {Category.INDUCEMENT}),
    ("他说稳赚不赔，后来又不是这么说了", {Category.INDUCEMENT}),  # he said it, then changed
    ("保本？他不是这么说的，他说稳赚不赔", {Category.INDUCEMENT}),  # the claim after the denial
    # Nobody told: a concealment stands. (退保要亏钱这事，他可没这么讲 raised it only by guessing
    # 这么 → 这没 from the sound, which homophones.speculative no longer does.)
    ("退保有损失这话他压根没讲过", {Category.CONCEALMENT}),
    ("保本这话他压根没讲过，我记得清楚", set()),  # the claim named, then denied
    ("比存款利息高这话是我说的，不是他说的", set()),  # said, but not by the seller
    ("他说保本，这话我当时就信了", {Category.INDUCEMENT}),  # named, not denied
])
def test_a_claim_denied_afterwards_was_not_said(text: str, categories: set[Category]) -> None:
    """A claim quoted and then denied (他可没这么说) is not the seller's; a concealment is."""
    detector = MisleadingSaleDetector(RuleSet.load())
    raised = {flag.category for flag in detector.analyse(Utterance(Leg.CUSTOMER, text))}
    claims = {Category.DECEPTION, Category.INDUCEMENT}
    assert raised & claims == categories & claims
    assert categories - claims <= raised


def test_a_claim_quoted_inside_a_denial_raises_nothing() -> None:
    """他可从没说过稳赚不赔这种话: neither the claim nor its 不赔 (an exclusion) was said."""
    detector = MisleadingSaleDetector(RuleSet.load())
    assert detector.analyse(Utterance(Leg.CUSTOMER, "他可从没说过稳赚不赔这种话")) == []
    told = detector.analyse(Utterance(Leg.CUSTOMER, "他没说过退保的话要损失"))  # 的话: "if"
    assert Category.CONCEALMENT in {flag.category for flag in told}


@pytest.mark.parametrize("text", ["保证收益是多少", "保本的产品有哪些", "账户每月扣的是啥钱"])
def test_a_question_word_ending_the_clause_asks(text: str) -> None:
    assert rule_ids(text) == set()


@pytest.mark.parametrize(("text", "rule"), [
    ("他说啥病都赔", "deceive.exaggerated_benefit"),  # 啥…都: "any", a claim
    ("他说存定期才多少，买这个保本", GUARANTEE),  # 才多少: "so little"
])
def test_a_question_word_that_does_not_ask_keeps_the_claim(text: str, rule: str) -> None:
    assert rule in rule_ids(text)


@pytest.mark.parametrize("text", ["听说有的业务员会说保本", "别家业务员说保本，我们这个没说"])
def test_hearsay_is_not_the_sellers_word(text: str) -> None:
    assert GUARANTEE not in rule_ids(text)
