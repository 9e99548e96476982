"""Whole-call rules over a call's utterances: items never acknowledged, topics raised often."""

from __future__ import annotations

from collections.abc import Sequence

from agent_assist.clause_context import clause_bounds, is_negated, is_question
from agent_assist.events import Flag, Utterance
from agent_assist.normalized_text import normalize
from agent_assist.rule_schema import WholeCallRule

_ASKING_WORDS = ("多少", "几", "怎么", "什么时候", "能不能", "有没有", "高不高")


def _find(text: str, terms: Sequence[str]) -> tuple[int, int] | None:
    """The earliest occurrence of any term in normalized text."""
    hits = [(text.find(t), text.find(t) + len(t)) for t in terms if t and t in text]
    return min(hits) if hits else None


def _acknowledges(text: str, acknowledgements: Sequence[str]) -> bool:
    """An acknowledgement word that is not negated (清楚 yes, 不清楚 no)."""
    for word in acknowledgements:
        start = text.find(word)
        while start != -1:
            clause = clause_bounds(text, start, start + len(word))
            if not is_negated(text, clause[0], start, []):
                return True
            start = text.find(word, start + 1)
    return False


def _unacknowledged(rule: WholeCallRule, utterances: Sequence[Utterance]) -> Flag | None:
    """Flag when the item is never raised, or raised and no customer answer acknowledges it."""
    evidence: Utterance | None = None
    for index, utterance in enumerate(utterances):
        if utterance.leg != rule.topic_leg:
            continue
        if _find(normalize(utterance.text).text, rule.topic) is None:
            continue
        later = [u for u in utterances[index + 1 :] if u.leg != rule.topic_leg]
        answers = later[: rule.answer_within]
        if any(_acknowledges(normalize(a.text).text, rule.acknowledgements) for a in answers):
            return None
        evidence = answers[0] if answers else utterance
    if evidence is None:  # never raised: the whole call is the evidence
        last_end = utterances[-1].end if utterances else 0.0
        evidence = Utterance(leg=rule.topic_leg, text="", start=0.0, end=last_end)
    return Flag.from_rule(rule, evidence, (0, len(evidence.text)))


def _asks_about(text: str, topic: Sequence[str]) -> tuple[int, int] | None:
    """Where the utterance asks about the topic (a question or an asking word in the clause)."""
    hit = _find(text, topic)
    if hit is None:
        return None
    clause = clause_bounds(text, *hit)
    body = text[clause[0] : clause[1]]
    asking = is_question(text, clause, hit[1]) or any(w in body for w in _ASKING_WORDS)
    return hit if asking else None


def _repeated(rule: WholeCallRule, utterances: Sequence[Utterance]) -> Flag | None:
    """Flag the utterance in which the topic is asked about for the `times`-th time."""
    count = 0
    for utterance in utterances:
        if utterance.leg != rule.topic_leg:
            continue
        normalized = normalize(utterance.text)
        hit = _asks_about(normalized.text, rule.topic)
        if hit is None:
            continue
        count += 1
        if count == rule.times:
            return Flag.from_rule(rule, utterance, normalized.original_span(*hit))
    return None


class WholeCallAnalyser:
    """Applies the whole-call rules once a call (or a recording) is complete."""

    def __init__(self, rules: Sequence[WholeCallRule]) -> None:
        self._rules = tuple(rules)

    def analyse(self, utterances: Sequence[Utterance]) -> list[Flag]:
        """Flags over the final utterances of one call, in call order."""
        finals = [u for u in utterances if u.final]
        flags = []
        for rule in self._rules:
            check = _unacknowledged if rule.kind == "unacknowledged_item" else _repeated
            flag = check(rule, finals)
            if flag is not None:
                flags.append(flag)
        return flags
