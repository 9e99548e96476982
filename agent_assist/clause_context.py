"""Negation, questions, hypotheticals and attribution around a match, within its clause."""

from __future__ import annotations

import re
from dataclasses import dataclass

_CLAUSE_BREAKS = set(",.;:!?，。；：！？、\n")
NEGATORS = "不没无未别非"  # shared by the homophone repair and the detector
# 不/没 that do not negate what follows (不过 = but, 不少 = many, 差不多 = about …).
_NOT_NEGATING = ("不过", "不管", "不然", "不仅", "不但", "不少", "不错", "差不多", "无论", "没事")
_NEGATION_REACH = 6
_SUBJECTS = ("他", "她", "业务员", "销售", "代理人", "经理", "那个人", "银行的人", "柜员", "小姑娘")
_ATTRIBUTION_VERBS = ("说", "讲", "告诉", "承诺", "保证", "介绍", "讲过", "跟我讲")
_QUESTION_FINALS = ("吗", "么", "嘛", "?")
_QUESTION_WORDS = ("是否", "有无", "请问", "难道")
_A_NOT_A = re.compile(r"(.)[不没]\1")
# A question word at the clause's end asks (保证收益是多少, 每月扣的是啥钱); inside it, it is often
# a correlative or a list (交多少退多少, 什么既往症啊、除外责任啊); before 都/也 it means "any"
# (啥都赔, a claim), after 才/没/不/多 "so little" or "how much more" (定期才多少, 能多多少).
_WH_WORDS = re.compile(r"(?<![才没不多])(多少|哪些|哪个|什么|啥)(?![都也])")
_WH_END_REACH = 3
# Hearsay is not the seller's word either: 听说有的业务员会代签名, 别家业务员说保本.
_HYPOTHETICALS = ("如果", "假如", "假设", "要是", "万一", "若是", "倘若", "听说", "别家")
_TRAILING_PARTICLES = "啊呀呢啦吧哈的了"
# What makes a negated question rhetorical (不是说保本吗, 难道不是保本的吗): a plain negation in a
# question (不保证收益，您清楚吗, often unpunctuated in a transcript) asks about the negation.
_RHETORICAL_MARKERS = ("不是", "难道")


@dataclass(frozen=True, slots=True)
class MatchContext:
    """What the surrounding clause says about a match."""

    negated: bool
    question: bool
    rhetorical: bool
    hypothetical: bool
    attributed: bool


def clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause around [start, end): up to the nearest punctuation on either side."""
    left = start
    while left > 0 and text[left - 1] not in _CLAUSE_BREAKS:
        left -= 1
    right = end
    while right < len(text) and text[right] not in _CLAUSE_BREAKS:
        right += 1
    return left, right


def _negator_positions(text: str) -> list[int]:
    positions = []
    for index, ch in enumerate(text):
        if ch not in NEGATORS:
            continue
        words = [word for word in _NOT_NEGATING if ch in word]
        if any(_word_at(text, word, index - word.index(ch)) for word in words):
            continue
        if index > 0 and _A_NOT_A.match(text, index - 1):
            continue  # 是不是, 有没有: a question, not a negation
        positions.append(index)
    return positions


def _word_at(text: str, word: str, position: int) -> bool:
    return position >= 0 and text.startswith(word, position)


def _negates(text: str, negator: int, start: int) -> bool:
    """A negator negates the match unless a new subject comes between them (我不懂他说保本)."""
    between = text[negator + 1 : start]
    # 了 closes what the negator negated (不想要了可以原价退).
    return "了" not in between and not any(subject in between for subject in _SUBJECTS)


def is_negated(text: str, clause_start: int, start: int, gaps: list[tuple[int, int]]) -> bool:
    """A negator shortly before the match, or in a gap between the terms of a proximity match."""
    reach = max(clause_start, start - _NEGATION_REACH)
    negators = _negator_positions(text)
    if any(reach <= n < start and _negates(text, n, start) for n in negators):
        return True
    return any(a <= n < b for n in negators for a, b in gaps)


def ends_as_question(text: str, clause: tuple[int, int]) -> bool:
    """The clause ends with a question particle (吗, 么, 嘛) or a question mark."""
    body = text[clause[0] : clause[1]].rstrip(_TRAILING_PARTICLES)
    return body.endswith(_QUESTION_FINALS) or text[clause[1] : clause[1] + 1] == "?"


def is_question(text: str, clause: tuple[int, int], end: int) -> bool:
    """A yes/no or A-not-A question, except a tag (…，是不是) after the statement."""
    if ends_as_question(text, clause):
        return True
    before = text[clause[0] : end]
    if any(word in before for word in _QUESTION_WORDS) or _A_NOT_A.search(before):
        return True
    return _asks_at_end(text, clause)


def _asks_at_end(text: str, clause: tuple[int, int]) -> bool:
    """One question word, ending the clause but for a word or a particle (扣的是啥钱)."""
    body = text[clause[0] : clause[1]].rstrip(_TRAILING_PARTICLES)
    found = list(_WH_WORDS.finditer(body))
    return len(found) == 1 and len(body) - found[0].end() < _WH_END_REACH


def analyse_context(text: str, start: int, end: int, gaps: list[tuple[int, int]]) -> MatchContext:
    """Everything the rules need to know about the clause around text[start:end]."""
    clause = clause_bounds(text, start, end)
    prefix = text[clause[0] : start]
    negated = is_negated(text, clause[0], start, gaps)
    question = is_question(text, clause, end)
    # Only 不是/难道 before the match make a question rhetorical (不是说保本吗); 不清楚是不是保本
    # just asks, and 不保证收益您清楚吗 asks whether the denial is understood.
    rhetorical = ends_as_question(text, clause) and (
        "难道" in prefix or (negated and any(word in prefix for word in _RHETORICAL_MARKERS)))
    return MatchContext(
        negated=negated,
        question=question,
        rhetorical=rhetorical,
        hypothetical=any(word in prefix for word in _HYPOTHETICALS),
        attributed=any(verb in prefix for verb in _ATTRIBUTION_VERBS),
    )
