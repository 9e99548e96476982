"""Classify a short spoken answer; when in doubt, never confirm (a false yes is the worst error)."""

from __future__ import annotations

import re

from scripts_zh import answer_lexicon as lex
from scripts_zh.answer_class import AnswerClass
from scripts_zh.answer_sound import sounds_like_answer
from scripts_zh.answer_text import Clause, make_clause, parse_answer
from scripts_zh.phrase_match import canonicalise, find_phrase
from zhtext.normalize import normalize_for_matching
from zhtext.sound import syllables_of

# Keypad fallback announced in every prompt: 按1确认，按2否认，按0转人工.
DTMF_CLASSES = {"1": AnswerClass.AFFIRMATIVE, "2": AnswerClass.NEGATIVE, "0": AnswerClass.HUMAN}
_MASK = "□"  # stands in for spans already explained, so their negators are not read again
# A yes is taken only when every clause of the answer is read (a yes, a doubt, a denial, a
# hedge or a filler): a clause nobody read may be a correction (对，交五年), another matter
# (是的，我在开车) or a misheard negation (没这回事 → 没错,回事), so the question is asked again.
WHOLE_YES = True
# Whisper seldom writes a comma in a short answer, so a clause may hold a yes and more: the
# rest of a yes clause is read too (是的保安收到了, 没错彩怪, 是我老公仙的 are not whole yeses).
YES_REST_READ = True


def classify_dtmf(digit: str) -> AnswerClass:
    """A keypad digit as an answer; any other key means nothing."""
    return DTMF_CLASSES.get(digit.strip(), AnswerClass.OTHER)


def answer_clauses(text: str) -> list[Clause]:
    """The answer's non-empty clauses, homophones in the lexicon's spelling."""
    clauses = [_canonical(clause) for clause in parse_answer(text).clauses]
    return [clause for clause in clauses if clause.chars]


def classify_answer(text: str, question: str = "") -> AnswerClass:
    """The class of one recognised answer, worst-case-safe: doubt beats confirmation. With the
    question asked, a clause that repeats it (晓得，交十年嘛) is read as part of the answer."""
    asked = normalize_for_matching(question)  # numerals spelled out, as in the answer
    heard = _classify(text, asked)
    if heard is AnswerClass.AFFIRMATIVE:
        doubted = _negators_by_sound(text)
        # 美人说过 for 没人说过: a yes that a sound-alike negator would undo is not a yes.
        return heard if doubted is None else _classify(doubted, asked)
    if heard is not AnswerClass.OTHER:
        return heard
    rewritten = _by_sound(text)
    by_sound = AnswerClass.OTHER if rewritten is None else _classify(rewritten, asked)
    # A sound-alike alone never confirms: a yes needs the audio's own word (answer_hearing.py).
    return AnswerClass.OTHER if by_sound is AnswerClass.AFFIRMATIVE else by_sound


def _negators_by_sound(text: str) -> str | None:
    """The text with every character that sounds like a negator written as one (美/每 → 没,
    部/布 → 不), when that makes it something other than a yes; else None."""
    sounds = syllables_of(text)
    if len(sounds) != len(text):
        return None
    chars = [_NEGATOR_SOUNDS.get(sound, char) if _may_be_negator(text, at) else char
             for at, (char, sound) in enumerate(zip(text, sounds, strict=True))]
    rewritten = "".join(chars)
    if rewritten == text or _classify(rewritten) is AnswerClass.AFFIRMATIVE:
        return None
    return rewritten


_NEGATOR_SOUNDS = {"mei": "没", "bu": "不"}
_MEASURES = frozenset("一二两三四五六七八九十年月天日个条次期样项份")  # 每年, 每一条: "every"


def _may_be_negator(text: str, at: int) -> bool:
    """Whether the character at `at` may be a misheard negator (not 每 before a measure word
    or a number, not the 部 of 全部)."""
    if text[at] == "每" and text[at + 1: at + 2] in _MEASURES:
        return False
    return not (text[at] == "部" and text[at - 1: at] == "全")


def _by_sound(text: str) -> str | None:
    """The answer with each clause that sounds like one short answer rewritten (小灯 → 晓得)."""
    clauses = parse_answer(text).clauses
    rewritten = []
    for clause in clauses:
        whole = sounds_like_answer(clause.chars)
        core = clause.chars.strip(lex.PARTICLES)  # 小灯嘞: the answer before its particle
        answer = whole or (sounds_like_answer(core) if core else None)
        heard = clause.chars if whole else core
        rewritten.append(clause.chars.replace(heard, answer, 1) if answer else clause.chars)
    if rewritten == [clause.chars for clause in clauses]:
        return None
    return "，".join(rewritten)


def _classify(text: str, asked: str = "") -> AnswerClass:
    """The class of the text as heard (`asked`: the question, normalised)."""
    clauses = answer_clauses(text)
    if not clauses:
        return AnswerClass.OTHER
    joined = "".join(clause.chars for clause in clauses)
    if any(rule.search(joined) for rule in lex.SURRENDER_RES):
        return AnswerClass.SURRENDER_OR_COMPLAINT
    if any(rule.search(joined) for rule in lex.HUMAN_RES):
        return AnswerClass.HUMAN
    if _asks_question(text, clauses):
        return AnswerClass.QUESTION
    if lex.HOLD_RE.search(joined):
        return AnswerClass.OTHER
    return _polarity(clauses, asked)


def _canonical(clause: Clause) -> Clause:
    """Homophones rewritten to the lexicon's spelling, one-syllable answers by sound."""
    clause = canonicalise(clause, lex.CANONICAL_PHRASES, lex.PROTECTED_WORDS)
    core = clause.chars.strip(lex.PARTICLES)
    if len(core) == 1 and core not in lex.NEGATORS:
        start = clause.chars.index(core)
        sound = lex.SINGLE_SYLLABLE_ANSWERS.get(clause.syllables[start])
        if sound:
            return make_clause(clause.chars.replace(core, sound, 1))
    return clause


def _asks_question(text: str, clauses: list[Clause]) -> bool:
    """A question or a request to repeat or explain, unless embedded in 不知道… (不记得说没说)."""
    if text.strip().endswith(("?", "？")):
        return True
    said = ""
    for clause in clauses:
        chars = lex.INDEFINITE_WH_RE.sub(_MASK, clause.chars)
        for rule in (*lex.QUESTION_RES, lex.EXPLAIN_REQUEST_RE):
            match = rule.search(chars)
            if not match:
                continue
            embedded = _doubt_in(chars[: match.start()])
            explained = rule is lex.EXPLAIN_REQUEST_RE and _doubt_in(said)
            if not (embedded or explained):
                return True
        said += clause.chars
    return False


def _doubt_in(chars: str) -> bool:
    """Whether the chars negate a knowing word (我不记得…, 我不太懂…)."""
    return bool(chars) and _negated_knowing(make_clause(chars))[0]


def _polarity(clauses: list[Clause], asked: str = "") -> AnswerClass:
    """Doubt, then denial, then hedges, then confirmation; anything else is other."""
    doubt = denial = hedge = affirm = unread = False
    if len(clauses) > 1 and lex.DISCOURSE_MARKER_RE.match(clauses[0].chars):
        clauses = clauses[1:]
    for clause in clauses:
        negated, chars = _negated_knowing(make_clause(_mask_restated_risk(clause.chars)))
        doubted = negated or bool(lex.UNSURE_RE.search(chars))
        chars = lex.UNSURE_RE.sub(_MASK, chars)
        affirmed = _affirms(chars) or bool(lex.NO_PROBLEM_RE.search(chars))
        hedged = bool(lex.HEDGE_RE.search(chars)) and (affirmed or _bare_hedge(chars))
        denied = _denies(chars)
        doubt = doubt or doubted
        hedge = hedge or hedged
        denial = denial or denied
        affirm = affirm or affirmed
        rest_unread = affirmed and not (doubted or hedged or denied) and _rest_unread(chars, asked)
        read = (doubted or affirmed or hedged or denied or _filler(chars)) and not rest_unread
        unread = unread or not (read or _repeats(chars, asked))
    if doubt:
        return AnswerClass.UNSURE
    if affirm and any(lex.RESERVATION_RE.search(clause.chars) for clause in clauses):
        return AnswerClass.UNSURE  # 是我签的，但是… : a qualified yes needs a follow-up
    if denial:
        return AnswerClass.NEGATIVE
    if hedge:
        return AnswerClass.UNSURE
    if affirm and unread and WHOLE_YES:
        return AnswerClass.OTHER  # 对，我在吃饭呢 / 没错，回事: a yes beside words nobody read
    return AnswerClass.AFFIRMATIVE if affirm else AnswerClass.OTHER


def _repeats(chars: str, asked: str) -> bool:
    """A clause that repeats the question: most of its words and every number in it are the
    question's (交十年嘛 after 缴费期间为十年; not 交五年, a correction)."""
    if not asked:
        return False
    said = lex.FILLER_RE.sub("", normalize_for_matching(chars))
    content = [char for char in said if char not in lex.PARTICLES + lex.PRONOUNS]
    if not content:
        return False
    numbers_asked = set(lex.NUMBER_RE.findall(said)) <= set(lex.NUMBER_RE.findall(asked))
    return numbers_asked and sum(char in asked for char in content) * 3 >= len(content) * 2


def _rest_unread(chars: str, asked: str) -> bool:
    """Whether a yes clause goes on, after its yes, with words beyond who and how (已经, 都)
    that do not repeat the question. What comes before the yes is its topic (说明书我看过了)."""
    if not YES_REST_READ:
        return False
    said = lex.SIGNED_NAME_RE.sub("签的", lex.YES_VERB_RE.sub("", chars))
    said = _REDUPLICATED.sub(r"\1\2", said)  # 清清楚楚 → 清楚
    yeses = [match.start() for match in (lex.AFFIRM_RE.search(said), lex.NO_PROBLEM_RE.search(said))
             if match]  # fmt: skip
    if not yeses:
        return False
    rest = lex.AFFIRM_RE.sub("", lex.NO_PROBLEM_RE.sub("", said[min(yeses):]))
    rest = lex.FILLER_RE.sub("", lex.YES_MODIFIER_RE.sub("", rest))
    rest = "".join(char for char in rest if char not in lex.PARTICLES + lex.PRONOUNS + _MASK)
    if not rest or lex.ANSWER_TOKENS_RE.match(rest):
        return False
    return not _repeats(rest, asked)


_REDUPLICATED = re.compile(r"(.)\1(.)\2")


def _filler(chars: str) -> bool:
    """A clause that says nothing: particles, interjections, a greeting (喂, 那个, 您好啊)."""
    return not lex.FILLER_RE.sub("", re.sub(f"[{lex.PARTICLES}]", "", chars))


def _negated_knowing(clause: Clause) -> tuple[bool, str]:
    """Whether a knowing word is negated (不太清楚); returns chars with double negations masked."""
    chars = clause.chars
    negated = False
    for word in lex.KNOW_WORDS:
        for start in find_phrase(make_clause(chars), word):
            negator = _negator_before(chars, start)
            if negator is None:
                continue
            double = lex.DOUBLE_NEGATION_RE.search(chars[:negator])
            if double:  # 不是不清楚: the speaker does know
                chars = (
                    chars[: double.start()]
                    + _MASK * (negator + 1 - double.start())
                    + chars[negator + 1 :]
                )
            else:
                negated = True
                chars = chars[:negator] + _MASK + chars[negator + 1 :]
    return negated, chars


def _negator_before(chars: str, start: int) -> int | None:
    """Offset of the negator governing the word at start, over at most three modifier chars."""
    for offset in range(start - 1, max(start - 5, -1), -1):
        if chars[offset] in lex.NEGATORS:
            return offset
        if chars[offset] not in lex.NEGATION_GAP:
            return None
    return None


def _denies(chars: str) -> bool:
    """A negator left over once no-problem phrases and hedges are set aside, or a denial."""
    remaining = lex.HEDGE_RE.sub(_MASK, lex.NOT_A_DENIAL_RE.sub(_MASK, chars))
    return any(char in lex.NEGATORS for char in remaining) or bool(lex.DENIAL_RE.search(chars))


def _affirms(chars: str) -> bool:
    """A confirming word, or a clause made only of answer tokens and particles (对对对, 是的呀)."""
    if lex.AFFIRM_RE.search(chars):
        return True
    core = re.sub(f"[{lex.PARTICLES}]", "", chars)
    return bool(core) and bool(lex.ANSWER_TOKENS_RE.match(core))


def _bare_hedge(chars: str) -> bool:
    """A clause that is a hedge, maybe on a bare yes (可能吧, 应该是吧, 一半一半吧)."""
    core = lex.HEDGE_RE.sub("", re.sub(f"[{lex.PARTICLES}]", "", chars))
    return core == "" or bool(lex.ANSWER_TOKENS_RE.match(core))


def _mask_restated_risk(chars: str) -> str:
    """知道红利不保证: with a knowing word, a negated guarantee is what is known, not a denial."""
    if not lex.KNOWING_RE.search(lex.RESTATED_RISK_RE.sub("", chars)):
        return chars
    return lex.RESTATED_RISK_RE.sub(lambda match: _MASK + match.group(0)[1:], chars)
