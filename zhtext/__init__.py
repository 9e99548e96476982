"""Chinese text handling shared by the packages: simplified characters, width, numerals, pinyin.

The text functions load on first use: a process that needs only `zhtext.private_files` (the
SIP layer's recordings) does not load the converters and dictionaries (≈75 MB, 1 s).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zhtext.normalize import (
        join_cjk,
        normalize_for_matching,
        normalize_for_scoring,
        normalize_width,
        number_spans,
        numerals_to_chinese,
        strip_fillers,
        strip_punctuation,
        to_simplified,
        to_traditional,
    )
    from zhtext.pinyin import toneless_pinyin

_HOMES = {"toneless_pinyin": "zhtext.pinyin"}
__all__ = [
    "join_cjk",
    "normalize_for_matching",
    "normalize_for_scoring",
    "normalize_width",
    "number_spans",
    "numerals_to_chinese",
    "strip_fillers",
    "strip_punctuation",
    "to_simplified",
    "to_traditional",
    "toneless_pinyin",
]


def __getattr__(name: str) -> Any:
    """One of the text functions, imported from its module when first asked for."""
    if name not in __all__:
        raise AttributeError(f"module 'zhtext' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES.get(name, "zhtext.normalize")), name)
    globals()[name] = value
    return value
