"""Short answers heard through mishearing: a clause that sounds like one lexicon answer.

Whisper writes a one-word answer as a near-homophone more often than not on a phone line
(晓得 → 小灯, 对头 → 碎头, 确定 → 决定). A clause of two to four syllables that nothing else
understood is compared, syllable by syllable, with the short answers of the lexicon, through
zhtext's sound matching (the same mechanism that repairs the misleading-sale rule words). A
match must keep one syllable exactly as heard, carry no negator the answer lacks, and be the
only class it sounds like; anything doubtful stays unheard (a false yes is the worst error).
"""

from __future__ import annotations

from functools import lru_cache

from scripts_zh import answer_lexicon as lex
from scripts_zh.answer_class import AnswerClass
from zhtext.sound import SoundConfusions, load_sound_confusions, near_syllables, syllables_of

_MIN, _MAX = 2, 4  # syllables: one-syllable answers are matched elsewhere, exactly


@lru_cache(maxsize=1)
def _confusions() -> SoundConfusions:
    return load_sound_confusions()


@lru_cache(maxsize=1)
def _answers() -> tuple[tuple[str, tuple[str, ...], AnswerClass], ...]:
    """Every short answer with its syllables and class."""
    return tuple((word, tuple(syllables_of(word)), cls)
                 for cls, words in lex.SHORT_ANSWERS.items() for word in words)


def sounds_like_answer(core: str) -> str | None:
    """The one lexicon answer a whole clause core sounds like, if exactly one class fits."""
    if not _MIN <= len(core) <= _MAX or not all("\u4e00" <= ch <= "\u9fff" for ch in core):
        return None
    heard = tuple(syllables_of(core))
    found = [(word, cls) for word, sounds, cls in _answers()
             if len(word) == len(core) and _matches(word, sounds, core, heard)]
    if not found or len({cls for _, cls in found}) > 1:
        return None
    return min(found, key=lambda item: _distance(item[0], core))[0]


def _matches(word: str, sounds: tuple[str, ...], core: str, heard: tuple[str, ...]) -> bool:
    """Every syllable near, one exact, and no negator or blocking word the answer lacks."""
    exact = False
    for char, sound, heard_char, heard_sound in zip(word, sounds, core, heard, strict=True):
        if heard_char in lex.SOUND_BLOCKERS and heard_char != char:
            return False
        if char == heard_char or sound == heard_sound:
            exact = True
        elif not near_syllables(sound, heard_sound, _confusions()):
            return False
    return exact


def _distance(word: str, core: str) -> int:
    """Characters that differ: the closest of several answers of one class wins."""
    return sum(a != b for a, b in zip(word, core, strict=True))
