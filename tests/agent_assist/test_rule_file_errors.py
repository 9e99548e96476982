"""A wrong rule file is reported with its file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_assist.rule_loader import RuleFileError
from agent_assist.rule_set import RuleSet

GOOD_RULE = """\
version: 1
rules:
  - id: induce.test
    category: 诱导
    subcategory: 保本
    severity: high
    legs: [customer]
    phrases: [保本]
    explanation: test
"""


def load(tmp_path: Path, text: str) -> RuleSet:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return RuleSet.load(path)


def problem(tmp_path: Path, text: str) -> RuleFileError:
    with pytest.raises(RuleFileError) as caught:
        load(tmp_path, text)
    return caught.value


def test_good_file_loads(tmp_path: Path) -> None:
    assert [r.id for r in load(tmp_path, GOOD_RULE).rules] == ["induce.test"]


def test_unknown_category_names_its_line(tmp_path: Path) -> None:
    err = problem(tmp_path, GOOD_RULE.replace("诱导", "乱说"))
    assert err.line == 4 and "category" in err.problem
    assert str(err).startswith(f"{tmp_path / 'rules.yaml'}:4:")


def test_bad_pattern_names_its_line(tmp_path: Path) -> None:
    err = problem(tmp_path, GOOD_RULE + "    patterns: ['(保本']\n")
    assert err.line == 10 and "does not compile" in err.problem


def test_rule_without_trigger(tmp_path: Path) -> None:
    err = problem(tmp_path, GOOD_RULE.replace("    phrases: [保本]\n", ""))
    assert err.line == 3 and "at least one of" in err.problem


def test_duplicate_ids_and_unknown_fields(tmp_path: Path) -> None:
    rule = GOOD_RULE.split("rules:\n")[1]
    assert "twice" in problem(tmp_path, GOOD_RULE + rule).problem
    assert problem(tmp_path, GOOD_RULE + "    colour: red\n").line == 10


def test_yaml_syntax_error(tmp_path: Path) -> None:
    assert problem(tmp_path, GOOD_RULE + "  - [unclosed\n").line == 11


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RuleFileError, match="cannot read"):
        RuleSet.load(tmp_path / "absent.yaml")
