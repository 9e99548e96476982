"""How alike two stretches of Chinese sound to a recogniser, by toneless pinyin.

One mechanism for every package that must read through ASR mishearing: the misleading-sale
rules repair rule words with it (报本保溪 → 保本保息), answer understanding matches short
answers with it (水灯 → 是的). Syllables are compared as an initial and a final; the
confusions telephone ASR makes are data (data/syllable_confusions.yaml).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from zhtext.pinyin import toneless_pinyin

CONFUSIONS_FILE = Path(__file__).parent / "data" / "syllable_confusions.yaml"
INITIALS = ("zh", "ch", "sh", *"bpmfdtnlgkhjqxrzcsyw")
NASAL_CODAS = ("ng", "n")
# Mandarin initials that differ only in aspiration: on a phone line the burst is what is lost.
ASPIRATION_PAIRS = (("b", "p"), ("d", "t"), ("g", "k"), ("j", "q"), ("z", "c"), ("zh", "ch"))


class SoundConfusions(BaseModel):
    """Initials, finals and whole syllables that telephone ASR confuses."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    initials: list[tuple[str, str]] = Field(default_factory=list)
    finals: list[tuple[str, str]] = Field(default_factory=list)
    syllables: list[tuple[str, str]] = Field(default_factory=list)

    def confusable(self, a: str, b: str) -> bool:
        """Whether two different toneless syllables are a known ASR confusion."""
        return _confusable(self, a, b)


class SoundConfusionsError(ValueError):
    """The confusion table cannot be read (one line: which file and what)."""


def load_sound_confusions(path: Path = CONFUSIONS_FILE) -> SoundConfusions:
    """The confusion table from its YAML file."""
    return _load_cached(path)


@lru_cache(maxsize=4)
def _load_cached(path: Path) -> SoundConfusions:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return SoundConfusions.model_validate(data)
    except (OSError, yaml.YAMLError, ValueError) as err:
        raise SoundConfusionsError(f"{path}: {str(err).splitlines()[0]}") from err


def split_syllable(syllable: str) -> tuple[str, str]:
    """Initial and final of a toneless syllable (zhuan → zh, uan; an → '', an)."""
    for initial in INITIALS:
        if syllable.startswith(initial):
            return initial, syllable[len(initial) :]
    return "", syllable


def one_edit_apart(a: str, b: str) -> bool:
    """Strings one letter apart: replaced, inserted or deleted (ze/zi, sun/sui, shi/shui)."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def coda_apart(a: str, b: str) -> bool:
    """Finals that differ only by a nasal coda, added or dropped (e/eng: 的 heard as 灯)."""
    short, long = sorted((a, b), key=len)
    return bool(short) and any(long == short + coda for coda in NASAL_CODAS)


def near_syllables(a: str, b: str, table: SoundConfusions, *, letter_edits: bool = False
                   ) -> bool:
    """Syllables a recogniser plausibly swaps: a known confusion, initials that differ only in
    aspiration (jue/que, zhi/chi), the same initial with a nasal coda added or dropped (de/deng),
    and with `letter_edits` any one letter (sui/dui: looser, for hypotheses checked otherwise)."""
    if a == b or table.confusable(a, b) or (letter_edits and one_edit_apart(a, b)):
        return True
    (initial_a, final_a), (initial_b, final_b) = split_syllable(a), split_syllable(b)
    if final_a == final_b:
        return _is_pair(initial_a, initial_b, ASPIRATION_PAIRS)
    return initial_a == initial_b and coda_apart(final_a, final_b)


def syllables_of(text: str) -> list[str]:
    """One toneless syllable per character of `text` (non-Chinese characters pass through)."""
    syllables = toneless_pinyin(text)
    if len(syllables) == len(text):
        return syllables
    return [toneless_pinyin(ch)[0] if ch.strip() else ch for ch in text]


def syllables_off(word: str, word_syllables: list[str], heard: str, heard_syllables: list[str],
                  close: Callable[[str, str], bool]) -> int | None:
    """How many syllables of `heard` differ from the word's, or None if one differs more than
    `close` allows. The same character is the same word part, whichever reading pypinyin chose
    (行 xing/hang)."""
    off = 0
    for index, (want, got) in enumerate(zip(word_syllables, heard_syllables, strict=True)):
        if want == got or word[index] == heard[index]:
            continue
        if not close(want, got):
            return None
        off += 1
    return off


def _is_pair(a: str, b: str, pairs: Iterable[tuple[str, str]]) -> bool:
    return any((a, b) in ((x, y), (y, x)) for x, y in pairs)


def _nasal_swap(a: str, b: str, pairs: Iterable[tuple[str, str]]) -> bool:
    """Finals that differ only in a front/back nasal ending (ian/iang, en/eng)."""
    for x, y in pairs:
        for p, q in ((x, y), (y, x)):
            if a.endswith(p) and b.endswith(q) and a[: -len(p)] == b[: -len(q)]:
                return True
    return False


def _confusable(table: SoundConfusions, a: str, b: str) -> bool:
    if _is_pair(a, b, table.syllables):
        return True
    (initial_a, final_a), (initial_b, final_b) = split_syllable(a), split_syllable(b)
    if final_a == final_b:
        return _is_pair(initial_a, initial_b, table.initials)
    return initial_a == initial_b and _nasal_swap(final_a, final_b, table.finals)
