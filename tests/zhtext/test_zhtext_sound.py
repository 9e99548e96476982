"""Sound-alike matching shared by the rule repair and answer understanding."""

from __future__ import annotations

from pathlib import Path

import pytest

from zhtext import to_traditional
from zhtext.sound import (
    SoundConfusionsError,
    coda_apart,
    load_sound_confusions,
    near_syllables,
    one_edit_apart,
    split_syllable,
    syllables_of,
    syllables_off,
)


def test_split_and_edits() -> None:
    assert split_syllable("zhuan") == ("zh", "uan")
    assert split_syllable("an") == ("", "an")
    assert one_edit_apart("sui", "dui") and one_edit_apart("shi", "shui")
    assert not one_edit_apart("bao", "bao") and not one_edit_apart("di", "duo")
    assert coda_apart("e", "eng") and coda_apart("i", "in") and not coda_apart("e", "a")


def test_table_and_near_syllables() -> None:
    table = load_sound_confusions()
    assert table.confusable("zhuan", "zuan") and table.confusable("xin", "xing")
    assert table.confusable("ben", "bei") and not table.confusable("bao", "pao")
    assert near_syllables("de", "deng", table)  # 的 heard as 灯: a nasal coda added
    assert near_syllables("jue", "que", table)  # 决定 for 确定: aspiration only
    assert not near_syllables("re", "de", table)  # 好热 is not 好的
    assert not near_syllables("sui", "dui", table)
    assert near_syllables("sui", "dui", table, letter_edits=True)


def test_syllables_off_counts_differences_and_same_characters_match() -> None:
    table = load_sound_confusions()
    word, heard = "银行", "营行"
    off = syllables_off(word, syllables_of(word), heard, syllables_of(heard), table.confusable)
    assert off == 1
    assert syllables_off("保本", ["bao", "ben"], "报喜", ["bao", "xi"], table.confusable) is None


def test_bad_table_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("initials: [[z]]\nvowels: []\n", encoding="utf-8")
    with pytest.raises(SoundConfusionsError, match=r"bad\.yaml"):
        load_sound_confusions(bad)


def test_traditional_spelling() -> None:
    assert to_traditional("对头，转人工") == "對頭，轉人工"
