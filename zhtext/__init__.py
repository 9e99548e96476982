"""Chinese text handling shared by the packages: simplified characters, width, numerals, pinyin."""

from zhtext.normalize import (
    join_cjk,
    normalize_for_matching,
    normalize_for_scoring,
    normalize_width,
    numerals_to_chinese,
    strip_fillers,
    strip_punctuation,
    to_simplified,
    to_traditional,
)
from zhtext.pinyin import toneless_pinyin

__all__ = [
    "join_cjk",
    "normalize_for_matching",
    "normalize_for_scoring",
    "normalize_width",
    "numerals_to_chinese",
    "strip_fillers",
    "strip_punctuation",
    "to_simplified",
    "to_traditional",
    "toneless_pinyin",
]
