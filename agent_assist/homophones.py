"""Repair ASR homophones (报本保溪 → 保本保息) of lexicon words by toneless pinyin, length kept."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from agent_assist.clause_context import NEGATORS
from agent_assist.rule_loader import load_model
from zhtext.sound import (
    SoundConfusions,
    load_sound_confusions,
    one_edit_apart,
    syllables_of,
    syllables_off,
)

__all__ = ["ConfusionTable", "HomophoneRepairer", "Repair", "load_confusions", "one_edit_apart"]

PROTECTED_FILE = Path(__file__).parent / "data" / "protected_words.yaml"
MIN_UNSHARED_SYLLABLES = 3  # a word this long may be repaired from a stretch sharing no character


class _ProtectedWords(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    protected: list[str] = Field(default_factory=list)


class ConfusionTable(BaseModel):
    """The syllables ASR confuses (zhtext's table) and the real words never rewritten."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sounds: SoundConfusions = Field(default_factory=SoundConfusions)
    protected: list[str] = Field(default_factory=list)

    def confusable(self, a: str, b: str) -> bool:
        """Whether two different toneless syllables are a known ASR confusion."""
        return self.sounds.confusable(a, b)


def load_confusions(path: Path = PROTECTED_FILE) -> ConfusionTable:
    """zhtext's syllable confusions with this package's protected words (data/*.yaml)."""
    protected = load_model(path, _ProtectedWords).protected
    return ConfusionTable(sounds=load_sound_confusions(), protected=protected)


def _is_hanzi(text: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" for ch in text)


@dataclass(frozen=True, slots=True)
class Repair:
    """The repaired text (same length as the input) and the positions that were rewritten."""

    text: str
    changed: frozenset[int] = field(default_factory=frozenset)


class HomophoneRepairer:
    """Rewrites near-homophones of lexicon words into those words, never changing the length."""

    def __init__(self, lexicon: Iterable[str], confusions: ConfusionTable) -> None:
        self._confusions = confusions
        terms = sorted({t for t in lexicon if len(t) >= 2 and _is_hanzi(t)})
        self._terms = terms
        self._syllables = {term: syllables_of(term) for term in terms}
        # Indexed by character: a repair must share at least one character with its word...
        self._by_char: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for term in terms:
            for offset, ch in enumerate(term):
                self._by_char[ch].append((term, offset))
        # ...unless the word is three syllables or more and sounds exactly alike (犹豫期 heard
        # as 由于其): two-syllable twins are too often real words (报喜 for 保息), three rarely.
        self._by_sound: dict[tuple[str, ...], list[str]] = defaultdict(list)
        for term in terms:
            if len(term) >= MIN_UNSHARED_SYLLABLES:
                self._by_sound[tuple(self._syllables[term])].append(term)
        self._sound_lengths = sorted({len(key) for key in self._by_sound})
        self._by_syllable: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for term in terms:
            for offset, syllable in enumerate(self._syllables[term]):
                self._by_syllable[syllable].append((term, offset))
        self._protected = [w for w in confusions.protected if w]
        self._confusable_cache: dict[tuple[str, str], bool] = {}

    def repair(self, text: str) -> Repair:
        """Rewrite homophone stretches of `text` into lexicon words (longest first)."""
        candidates = self._candidates(text)
        if not candidates:
            return Repair(text)
        protected = self._exact_positions(text)
        blocked: set[int] = set()
        syllables = syllables_of(text)
        chars = list(text)
        changed: set[int] = set()
        for start, term in sorted(candidates, key=lambda c: (-len(c[1]), c[0])):
            span = range(start, start + len(term))
            if any(i in blocked for i in span):
                continue
            # Characters of real words already in the text are never rewritten.
            if any(i in protected and text[i] != term[i - start] for i in span):
                continue
            if not self._sounds_like(term, text[start : span.stop], syllables[start : span.stop]):
                continue
            chars[start : span.stop] = term
            changed.update(i for i in span if text[i] != term[i - start])
            blocked.update(span)
        return Repair("".join(chars), frozenset(changed))

    def speculative(self, text: str) -> list[Repair]:
        """Single rewrites of a near-sounding stretch into a lexicon word, none of them applied.

        Wider than `repair`: one syllable may be any near sound (面子 for 免责, 随时 for 损失) and
        no character need be shared. Too loose to trust alone, so each is only a hypothesis that
        the detector keeps where it completes a rule match reaching beyond the rewritten word.
        """
        syllables = syllables_of(text)
        # A word heard exactly is never rewritten (提前 into 以前), but may lend an unchanged
        # character to the rewrite (手机后 → 手机号).
        protected = self._exact_positions(text)
        repairs = []
        for start, term in sorted(self._near_candidates(syllables)):
            end = start + len(term)
            heard = text[start:end]
            if heard == term or not _is_hanzi(heard):
                continue
            changed = frozenset(i for i in range(start, end) if text[i] != term[i - start])
            if changed & protected or any(term[i - start] in NEGATORS for i in changed):
                continue  # a negator guessed from a near sound turns what was said (每笔 → 没提)
            if self._near_word(term, heard, syllables[start:end]):
                repairs.append(Repair(text[:start] + term + text[end:], changed))
        return repairs

    def _near_candidates(self, syllables: list[str]) -> set[tuple[int, str]]:
        """(start, word) wherever a lexicon word has one syllable exactly as heard."""
        found: set[tuple[int, str]] = set()
        for index, syllable in enumerate(syllables):
            for term, offset in self._by_syllable.get(syllable, ()):
                start = index - offset
                if start >= 0 and start + len(term) <= len(syllables):
                    found.add((start, term))
        return found

    def _near_word(self, term: str, heard: str, heard_syllables: list[str]) -> bool:
        """At most one syllable off, by a known confusion or by one letter."""
        off = self._syllables_off(term, heard, heard_syllables,
                                  lambda a, b: self._confusable(a, b) or one_edit_apart(a, b))
        return off is not None and off <= 1

    def _syllables_off(self, term: str, heard: str, heard_syllables: list[str],
                       close: Callable[[str, str], bool]) -> int | None:
        """How many syllables differ from the word's, or None if one differs more than `close`."""
        return syllables_off(term, self._syllables[term], heard, heard_syllables, close)

    def _candidates(self, text: str) -> set[tuple[int, str]]:
        found: set[tuple[int, str]] = set()
        for index, ch in enumerate(text):
            for term, offset in self._by_char.get(ch, ()):
                start = index - offset
                end = start + len(term)
                if start >= 0 and end <= len(text) and text[start:end] != term:
                    found.add((start, term))
        if self._by_sound:
            syllables = syllables_of(text)
            for length in self._sound_lengths:
                for start in range(len(text) - length + 1):
                    for term in self._by_sound.get(tuple(syllables[start:start + length]), ()):
                        if text[start:start + length] != term:
                            found.add((start, term))
        return found

    def _exact_positions(self, text: str) -> set[int]:
        """Positions inside real words already (lexicon or protected): never rewritten."""
        taken: set[int] = set()
        for word in [*self._terms, *self._protected]:
            start = text.find(word)
            while start != -1:
                taken.update(range(start, start + len(word)))
                start = text.find(word, start + 1)
        return taken

    def _sounds_like(self, term: str, heard: str, heard_syllables: list[str]) -> bool:
        # A homophone with no character in common is too often a different real word (报喜/保息),
        # unless it is a long word heard exactly (see _by_sound).
        if not _is_hanzi(heard):
            return False
        if not set(term) & set(heard):
            return (len(term) >= MIN_UNSHARED_SYLLABLES
                    and self._syllables[term] == heard_syllables)
        fuzzy = self._syllables_off(term, heard, heard_syllables, self._confusable)
        # One confused syllable is what telephone ASR does; more is usually another word.
        return fuzzy is not None and fuzzy <= 1

    def _confusable(self, a: str, b: str) -> bool:
        key = (a, b)
        if key not in self._confusable_cache:
            self._confusable_cache[key] = self._confusions.confusable(a, b)
        return self._confusable_cache[key]
