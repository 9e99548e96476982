"""The learned flagger: trained on a tiny fixture, saved without pickle, combined with the rules."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from agent_assist.evaluation import LabelledUtterance
from agent_assist.events import Category, Leg, Utterance
from agent_assist.flag_features import clauses, utterance_features
from agent_assist.flag_model import FlagModel, FlagModelError
from agent_assist.flag_training import train
from agent_assist.misleading_sale import MisleadingSaleDetector
from agent_assist.rule_set import RuleSet

_GIFT = Category.DECEPTION
_FIXTURE = [
    ("买了就送一台电饭煲，结果啥也没送", _GIFT, "deceive.fake_gift"),
    ("说好送的电饭煲到现在也没见着", _GIFT, "deceive.fake_gift"),
    ("送电饭煲的事后来就不提了", _GIFT, "deceive.fake_gift"),
    ("电饭煲说送结果没送到", _GIFT, "deceive.fake_gift"),
    ("签字是我儿子替我写的", Category.PROCESS_VIOLATION, "process.signature_by_other"),
    ("那个名字是业务员替我写的", Category.PROCESS_VIOLATION, "process.signature_by_other"),
    ("字不是我签的，他替我写的", Category.PROCESS_VIOLATION, "process.signature_by_other"),
    ("今天天气不错", None, ""),
    ("我在上班，晚点再说", None, ""),
    ("好的，我知道了", None, ""),
    ("您好，请问是张先生吗", None, ""),
    ("没问题，都清楚", None, ""),
]


@pytest.fixture(scope="module")
def rule_set() -> RuleSet:
    return RuleSet.load()


@pytest.fixture(scope="module")
def model(rule_set: RuleSet) -> FlagModel:
    labelled = [LabelledUtterance(text, Leg.CUSTOMER, frozenset({c}) if c else frozenset(), rule)
                for text, c, rule in _FIXTURE]
    return train(labelled, rule_set, threshold=0.5, min_df=1)


def test_features_hold_characters_sounds_and_leg() -> None:
    counts = utterance_features("送电饭煲，没送", "customer")
    assert counts["c:电饭煲"] == 1 and counts["p:fan bao"] == 1 and counts["leg:customer"] == 1
    assert "c:煲没" not in counts  # n-grams never cross a clause break
    assert clauses("送电饭煲，没送") == [(0, 4), (5, 7)]


def test_sound_features_match_a_misheard_homophone(model: FlagModel) -> None:
    assert "p:dian fan bao" in model.index
    heard = utterance_features("店饭宝", "customer")
    assert "p:dian fan bao" in heard and "c:店饭宝" not in model.index


def test_verdict_names_category_rule_and_evidence_clause(model: FlagModel) -> None:
    text = "我问过了，送的电饭煲一直没见着"
    verdict = model.verdict(text, "customer")
    assert verdict is not None
    assert verdict.category is _GIFT and verdict.rule_id == "deceive.fake_gift"
    assert text[slice(*verdict.clause)] == "送的电饭煲一直没见着"
    assert verdict.ngrams and verdict.probability >= model.threshold
    assert model.verdict("我在开会", "customer") is None


def test_saved_model_loads_the_same_without_pickle(model: FlagModel, tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    model.save(path)
    loaded = FlagModel.load(path)
    text = "说送的电饭煲没见着"
    assert np.allclose(loaded.probabilities(text, "customer"),
                       model.probabilities(text, "customer"), atol=1e-2)
    with np.load(path, allow_pickle=False) as data:
        assert all(data[key].dtype != object for key in data.files)


def test_bad_model_file_is_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a model")
    with pytest.raises(FlagModelError, match="cannot read flag model"):
        FlagModel.load(bad)


def test_detector_adds_a_learned_flag_the_rules_miss(model: FlagModel, rule_set: RuleSet) -> None:
    utterance = Utterance(leg=Leg.CUSTOMER, text="那个电饭煲，到今天都没见着")
    assert MisleadingSaleDetector(rule_set).analyse(utterance) == []
    flags = MisleadingSaleDetector(rule_set, model=model).analyse(utterance)
    learned = [f for f in flags if f.category is _GIFT]
    assert learned and learned[0].subcategory
    assert utterance.text[slice(*learned[0].span)] == "那个电饭煲"
    reported = Utterance(leg=Leg.CUSTOMER, text="他说电饭煲到今天都没见着")
    flags = MisleadingSaleDetector(rule_set, model=model).analyse(reported)
    assert any(f.category is _GIFT and f.attributed for f in flags)
