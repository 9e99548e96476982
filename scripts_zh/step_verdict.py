"""What an understood answer means for the step it answers: confirmed, denied, doubt or unclear."""

from __future__ import annotations

from enum import StrEnum

from scripts_zh.answer_class import AnswerClass
from scripts_zh.identity_answer import IdentityVerdict
from scripts_zh.script_schema import AnswerKind


class StepVerdict(StrEnum):
    """The effect of one answer on the current step."""

    CONFIRMED = "confirmed"
    DENIED = "denied"
    DOUBT = "doubt"  # unsure or asking: explain
    UNCLEAR = "unclear"  # nothing usable: ask again
    HUMAN = "human"
    SURRENDER_OR_COMPLAINT = "surrender_or_complaint"


_ESCALATIONS = {
    AnswerClass.HUMAN: StepVerdict.HUMAN,
    AnswerClass.SURRENDER_OR_COMPLAINT: StepVerdict.SURRENDER_OR_COMPLAINT,
    AnswerClass.UNSURE: StepVerdict.DOUBT,
    AnswerClass.QUESTION: StepVerdict.DOUBT,
    AnswerClass.OTHER: StepVerdict.UNCLEAR,
}


def verdict_for(expects: AnswerKind, answer: AnswerClass) -> StepVerdict:
    """A yes confirms a confirm step; on a deny step (承诺收益?) only a no is compliant."""
    if answer in _ESCALATIONS:
        return _ESCALATIONS[answer]
    if expects is AnswerKind.IDENTITY_RECORD:  # a bare yes or no is not a birth date
        return StepVerdict.UNCLEAR
    compliant = AnswerClass.NEGATIVE if expects is AnswerKind.DENY else AnswerClass.AFFIRMATIVE
    # IDENTITY_NAME behaves as CONFIRM here; a different stated name is caught before.
    return StepVerdict.CONFIRMED if answer is compliant else StepVerdict.DENIED


def identity_verdict(
    identity: IdentityVerdict, answer: AnswerClass, expects: AnswerKind = AnswerKind.IDENTITY_RECORD
) -> StepVerdict:
    """A mismatch denies; a record match confirms; otherwise the answer's class decides."""
    if identity is IdentityVerdict.MISMATCHED:
        return StepVerdict.DENIED
    if identity is IdentityVerdict.MATCHED and expects is AnswerKind.IDENTITY_RECORD:
        return StepVerdict.CONFIRMED
    return verdict_for(expects, answer)  # a matching name still needs a yes (我是王秀英 is one)
