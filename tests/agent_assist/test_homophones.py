"""ASR homophones of rule words are repaired by toneless pinyin, without false alarms."""

from __future__ import annotations

import pytest
from assist_fixtures import flags, rule_ids

from agent_assist.events import Leg
from agent_assist.homophones import HomophoneRepairer, load_confusions, one_edit_apart


def repairer(*lexicon: str) -> HomophoneRepairer:
    return HomophoneRepairer(lexicon, load_confusions())


def test_repair_keeps_length_and_reports_changed_positions() -> None:
    repair = repairer("保本保息").repair("他说报本保溪的")
    assert repair.text == "他说保本保息的"
    assert repair.changed == frozenset({2, 5})


def test_confused_syllable_from_table_is_repaired() -> None:
    assert repairer("本人").repair("北人不在").text == "本人不在"


@pytest.mark.parametrize(
    ("heard", "expected"),
    [("报喜不报忧", "报喜不报忧"), ("受益人是我儿子", "受益人是我儿子"), ("在北京", "在北京")],
)
def test_real_words_are_left_alone(heard: str, expected: str) -> None:
    lexicon = ("保息", "收益", "本人", "北京人")
    assert repairer(*lexicon).repair(heard).text == expected


def test_protected_everyday_words_are_not_rewritten_into_rule_words() -> None:
    # 没见 (have not seen) sounds like 没讲 (did not say), one front/back nasal apart.
    assert repairer("没讲").repair("到现在也没见着").text == "到现在也没见着"


def test_a_long_word_heard_exactly_alike_is_repaired_without_a_shared_character() -> None:
    lexicon = ("犹豫期", "保息")
    assert repairer(*lexicon).repair("由于其这个没人说").text == "犹豫期这个没人说"
    assert repairer(*lexicon).repair("报喜不报忧").text == "报喜不报忧"  # two syllables: no
    assert repairer(*lexicon).repair("有鱼去这个").text == "有鱼去这个"  # not exactly alike


def test_confusions_table() -> None:
    table = load_confusions()
    assert table.confusable("zhuan", "zuan")
    assert table.confusable("xin", "xing")
    assert table.confusable("ben", "bei")
    assert not table.confusable("bao", "pao")


def test_homophone_matches_flag_and_say_so() -> None:
    (flag,) = flags("报本保溪")
    assert flag.rule_id == "induce.guaranteed_return"
    assert flag.via_pinyin
    assert flag.matched == "报本保溪"


@pytest.mark.parametrize(
    ("text", "rule_id"),
    [
        ("他说稳转不赔", "induce.guaranteed_return"),
        ("没人告诉我有等代期", "conceal.waiting_period"),
        ("北人不在，你问我就行", "process.callback_by_other"),
        ("字是业务员帮我钱的", "process.signature_by_other"),
        ("由于其这个没人告诉我", "conceal.cooling_off"),  # Whisper's 犹豫期, no shared character
        ("您放心，大病小病都陪得", "deceive.exaggerated_benefit"),  # Whisper's 陪 for 赔
        ("红丽一定能拿到，这个您放心", "conceal.dividend_uncertainty"),
        ("将好的粽品一直没给我", "deceive.fake_gift"),  # zong for zeng, one letter off
        ("他们说把就宝丹退了，钱转过来买这个", "induce.replace_old_policy"),
        ("健康告知那一栏是业务员帮我沟的", "process.info_tampering"),
    ],
)
def test_asr_variants_still_flag(text: str, rule_id: str) -> None:
    assert rule_id in rule_ids(text)


@pytest.mark.parametrize(
    "text", ["我是北人", "我知道不报本", "报喜不报忧", "由于其他原因我没去", "我们都陪他去的医院",
             "粽子一直没给我", "他一直陪着我"],
)
def test_asr_variants_of_negatives_stay_quiet(text: str) -> None:
    assert flags(text) == []


@pytest.mark.parametrize(
    ("a", "b", "near"),
    [("ze", "zi", True), ("sun", "sui", True), ("zeng", "zong", True), ("fen", "sen", True),
     ("bao", "bao", False), ("mian", "zi", False), ("shi", "shiu", True), ("ze", "zeng", False)],
)
def test_one_edit_apart(a: str, b: str, near: bool) -> None:
    assert one_edit_apart(a, b) is near


def test_speculative_rewrites_are_hypotheses_not_repairs() -> None:
    lexicon = repairer("免责", "提前")
    assert "免责条款" in {r.text for r in lexicon.speculative("面子条款")}
    assert lexicon.repair("面子条款").text == "面子条款"  # too loose to apply outright
    # A lexicon word heard exactly is never rewritten into another one (提前 → 以前).
    assert all("以前" not in r.text for r in repairer("以前", "提前").speculative("提前退保"))


def test_a_speculative_rewrite_flags_only_where_the_rule_reaches_beyond_it() -> None:
    (flag,) = flags("面子条款他们根本没提")  # Whisper's 免责条款
    assert flag.rule_id == "conceal.exclusions"
    assert flag.via_pinyin


@pytest.mark.parametrize(
    "text", ["面子不重要", "他讲了提前退保拿不回全部本金", "这个面子条款我看过了，他讲得很清楚"],
)
def test_speculative_rewrites_of_negatives_stay_quiet(text: str) -> None:
    assert flags(text) == []


def test_the_same_character_counts_whatever_its_reading() -> None:
    # 营行 for 银行: pypinyin reads 行 as xing here and hang in 银行; the character is the same.
    assert "deceive.as_deposit" in rule_ids("他说跟存营行一样")


def test_a_near_sound_never_guesses_a_negator() -> None:
    """每笔 is one syllable from 没提, but a negator guessed turns what was said around."""
    guesses = [repair.text for repair in repairer("没提", "保息").speculative("每笔保费会扣一部分")]
    assert not any("没" in text for text in guesses)


def test_the_contracts_guaranteed_benefit_is_a_term_not_a_promised_return() -> None:
    assert rule_ids("合同里只有保证利益那部分是确定的，分红不保证", leg=Leg.AGENT) == set()
