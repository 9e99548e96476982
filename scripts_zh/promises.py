"""Promises a prompt makes to the customer (一个工作日内与您联系, 稍后会有专人为您解答), found
in the text so each becomes a task with a due time. Pure: text in, promises out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

# Something will be done for the customer: contact, an answer, the request handled.
_ACTION = r"(联系|回电|致电|回复|答复|解答|办理|处理|核实)"
_NUMBER = r"(\d+|[一二两三四五六七八九十]+)"
_TIMED = re.compile(_NUMBER + r"个?(工作日|小时|天|日)(之内|以内|内)")
_VAGUE = re.compile(r"(稍后|另行|尽快|随后|会有专人|由专人)")
_SENTENCE_END = re.compile(r"[。！？!?；;]")
_DIGITS = {c: n for n, c in enumerate("零一二三四五六七八九")} | {"两": 2}


class PromiseUnit(StrEnum):
    """What the promised time is counted in."""

    WORKING_DAYS = "working_days"
    HOURS = "hours"
    DAYS = "days"
    UNSTATED = "unstated"  # 稍后, 另行: the centre's default applies


@dataclass(frozen=True)
class Promise:
    """One promise: the sentence as said and how long the centre has to keep it."""

    sentence: str
    amount: int
    unit: PromiseUnit


def promises_in(text: str) -> list[Promise]:
    """Every sentence of the prompt that promises an action, with its time limit."""
    found = []
    for sentence in _SENTENCE_END.split(text):
        sentence = sentence.strip(" ，,")
        if not sentence or not re.search(_ACTION, sentence):
            continue
        timed = _TIMED.search(sentence)
        if timed:
            found.append(Promise(sentence, _number(timed.group(1)), _unit(timed.group(2))))
        elif _VAGUE.search(sentence):
            found.append(Promise(sentence, 0, PromiseUnit.UNSTATED))
    return found


def _unit(word: str) -> PromiseUnit:
    return {"工作日": PromiseUnit.WORKING_DAYS, "小时": PromiseUnit.HOURS}.get(
        word, PromiseUnit.DAYS)  # fmt: skip


def _number(text: str) -> int:
    """A small count in digits or Chinese (一, 两, 十二)."""
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)
    return _DIGITS[text]
