"""Utterance text in matching form (simplified, half-width, numerals spelled) with offsets back."""

from __future__ import annotations

from dataclasses import dataclass

from zhtext import normalize_width, number_spans, to_simplified


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """Matching form of a text; origin[i] is the original (start, end) behind character i."""

    original: str
    text: str
    origin: tuple[tuple[int, int], ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text behind normalized characters [start, end)."""
        if start >= end or not self.origin:
            return (0, 0)
        return (self.origin[start][0], self.origin[end - 1][1])


def _simplified_chars(text: str) -> list[str]:
    simplified = to_simplified(text)
    if len(simplified) == len(text):
        return list(simplified)
    # OpenCC changed the length somewhere: convert character by character to keep offsets.
    return [to_simplified(ch) for ch in text]


def _width_pieces(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    chars: list[str] = []
    origin: list[tuple[int, int]] = []
    for index, ch in enumerate(_simplified_chars(text)):
        for out in normalize_width(ch).lower():
            chars.append(out)
            origin.append((index, index + 1))
    return chars, origin


def normalize(text: str) -> NormalizedText:
    """Normalize an utterance for matching and remember where each character came from."""
    chars, origin = _width_pieces(text)
    joined = "".join(chars)
    out_chars: list[str] = []
    out_origin: list[tuple[int, int]] = []
    position = 0
    for start, end, spelled in number_spans(joined):
        out_chars.extend(joined[position:start])
        out_origin.extend(origin[position:start])
        source = (origin[start][0], origin[end - 1][1])
        out_chars.extend(spelled)
        out_origin.extend([source] * len(spelled))
        position = end
    out_chars.extend(joined[position:])
    out_origin.extend(origin[position:])
    return NormalizedText(original=text, text="".join(out_chars), origin=tuple(out_origin))
