"""Numbers as people read them, before matching and scoring."""

from __future__ import annotations

import pytest

from agent_assist.normalized_text import normalize
from asr.evaluation import character_error_rate
from zhtext import normalize_for_scoring, numerals_to_chinese


@pytest.mark.parametrize(("written", "read"), [
    ("26岁", "二十六岁"),
    ("3.5%", "百分之三点五"),
    ("1000元", "一千元"),
    ("123456", "十二万三千四百五十六"),
    ("0012645", "零零一二六四五"),  # as a quantity it would lose its zeros
    ("13812345678", "一三八一二三四五六七八"),  # not 一百三十八亿…
    ("440106196503084021", "四四零一零六一九六五零三零八四零二一"),
    ("2024年3月5日", "二零二四年三月五日"),
    ("5000年前", "五千年前"),
    ("2024", "二千零二十四"),  # a year only before 年
])
def test_numbers_are_spelled_as_read_aloud(written: str, read: str) -> None:
    assert numerals_to_chinese(written) == read


def test_a_digit_string_written_in_digits_scores_as_the_same_words() -> None:
    assert normalize_for_scoring("零零幺二六四四五") == normalize_for_scoring("0012 6445")
    reference, heard = "万科在二零一四年年报中如此感叹", "万科在2014年年报中如此感叹"
    assert character_error_rate([reference], [heard]) == 0


def test_the_rules_matching_form_spells_numbers_as_the_scorer_does() -> None:
    text = "2024年买的,电话138 1234 5678,收益3.5%"
    matched = normalize(text)
    assert matched.text == numerals_to_chinese(text)
    start = matched.text.index("一三八")
    assert text[slice(*matched.original_span(start, start + 11))] == "138 1234 5678"
