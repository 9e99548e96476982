"""Character voting between decodes of one utterance (pure)."""

from __future__ import annotations

from asr.text_vote import align, join_units, units, vote


def test_units_are_characters_and_latin_words() -> None:
    assert units("我买了VIP会员, 2年") == ["我", "买", "了", "VIP", "会", "员", ",", "2", "年"]
    assert join_units(["ok", "好", "the", "end"]) == "ok好the end"


def test_alignment_names_what_faces_each_pivot_unit_and_gap() -> None:
    seen = align(units("我要转人工"), units("我转人工吧"))
    assert seen.at == ("我", "", "转", "人", "工")
    assert seen.gaps == ("", "", "", "", "", "吧")


def test_both_others_agreeing_outvote_the_pivot() -> None:
    assert vote("我要转员工", ["我要转人工", "我要转人工"]) == "我要转人工"


def test_the_pivot_wins_a_tie() -> None:
    assert vote("我要转员工", ["我要转人工", "我要转员工"]) == "我要转员工"
    assert vote("我要转员工", ["我要转人工", "我要转真工"]) == "我要转员工"


def test_insertions_and_deletions_need_a_majority_too() -> None:
    assert vote("是的我知道", ["是的,我知道", "是滴我知道"]) == "是的我知道"
    assert vote("是的我知道", ["是的我知道了", "是的我知道了"]) == "是的我知道了"
    assert vote("是的嗯我知道", ["是的我知道", "是的我知道"]) == "是的我知道"


def test_empty_texts_vote_like_any_other() -> None:
    assert vote("", ["你好", "你好"]) == "你好"
    assert vote("你好", ["", ""]) == ""
    assert vote("你好", []) == "你好"


def test_more_voters_change_a_unit_only_with_a_clear_winner() -> None:
    assert vote("停制", ["停滞", "停滞", "停止"]) == "停滞"
    assert vote("停制", ["停滞", "停滞", "停止", "停制"]) == "停制"
    assert vote("停制", ["停滞", "停滞", "停止", "停止"]) == "停制"
