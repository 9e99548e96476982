"""A clause that asks is not the model's flag; one that also denies (他没讲) still is."""

from __future__ import annotations

import pytest

from agent_assist.evaluation import LabelledUtterance
from agent_assist.events import Category, Leg, Utterance
from agent_assist.flag_model import FlagModel
from agent_assist.flag_training import train
from agent_assist.misleading_sale import MisleadingSaleDetector
from agent_assist.rule_set import RuleSet

_LOSS = ("conceal.surrender_loss", Category.CONCEALMENT)
_FIXTURE = [
    ("退保要损失好多钱，他一句也没讲", *_LOSS),
    ("退保损失这么大，事先一个字都没提", *_LOSS),
    ("退保会损失本金这事他瞒着我", *_LOSS),
    ("退保损失的事业务员压根没说", *_LOSS),
    ("今天天气不错", "", None),
    ("我在上班，晚点再说", "", None),
    ("好的，我知道了", "", None),
    ("您好，请问是张先生吗", "", None),
]


@pytest.fixture(scope="module")
def detector() -> MisleadingSaleDetector:
    rule_set = RuleSet.load()
    labelled = [LabelledUtterance(text, Leg.CUSTOMER, frozenset({c}) if c else frozenset(), rule)
                for text, rule, c in _FIXTURE]
    model: FlagModel = train(labelled, rule_set, threshold=0.5, min_df=1)
    return MisleadingSaleDetector(rule_set, model=model)


def _concealment(detector: MisleadingSaleDetector, text: str) -> bool:
    flags = detector.analyse(Utterance(Leg.CUSTOMER, text))
    return any(flag.category is Category.CONCEALMENT for flag in flags)


@pytest.mark.parametrize("text", ["退保会损失多少", "退保损失是多少钱啊", "退保损失大吗"])
def test_a_question_about_the_term_is_not_a_concealment(
    detector: MisleadingSaleDetector, text: str,
) -> None:
    assert not _concealment(detector, text)


@pytest.mark.parametrize("text", ["退保损失多少，他没讲", "退保要损失，他瞒着我",
                                  "退保的损失交多少扣多少"])
def test_a_denial_a_statement_or_a_correlative_still_flags(
    detector: MisleadingSaleDetector, text: str,
) -> None:
    assert _concealment(detector, text)
