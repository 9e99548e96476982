"""The one mapping of coded values to Chinese: complete for every enum, served to the pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from web_testkit import web_rig

from huifang.web.labels import ENUM_VOCABULARIES, label, labels_script, vocabularies


@pytest.mark.parametrize("name", sorted(ENUM_VOCABULARIES))
def test_every_member_of_the_enum_has_its_chinese_word(name: str) -> None:
    enum, words = ENUM_VOCABULARIES[name]
    missing = [member.value for member in enum if member not in words]
    assert not missing, f"{name}: no Chinese for {missing}"
    assert all(word and word.isascii() is False for word in words.values())


def test_an_unknown_value_shows_as_it_is_and_none_as_nothing() -> None:
    assert label("gender", "female") == "女"
    assert label("caseReason", "agent_raised") == "坐席提交"
    assert label("caseReason", "induce.guaranteed_return") == "诱导·保本保息/稳赚/承诺收益"
    assert label("caseReason", "some.future_rule") == "some.future_rule"
    assert label("severity", None) == ""


def test_the_pages_load_the_same_mapping_as_a_script(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        response = rig.client.get("/app/labels.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.text == labels_script()
    assert '"female": "女"' in response.text
    # Definition order, not alphabetical: a select's first option is the vocabulary's first.
    served = response.text.split("Object.freeze(", 1)[1].rsplit(");", 1)[0]
    assert list(json.loads(served)["grouping"]) == list(vocabularies()["grouping"])
    assert next(iter(vocabularies()["grouping"])) == "overall"
