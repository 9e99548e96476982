"""Toneless pinyin, so that ASR homophones (报本保溪 for 保本保息) still match."""

from __future__ import annotations

from typing import Any, cast

from pypinyin import Style, lazy_pinyin


def toneless_pinyin(text: str) -> list[str]:
    """One toneless syllable per Chinese character; other characters pass through unchanged."""
    # pypinyin accepts a list from `errors` (one item per character); its stubs say str.
    per_character = cast(Any, list)
    return [str(s) for s in lazy_pinyin(text, style=Style.NORMAL, errors=per_character)]
