"""One attempt's outcome from how its call ended, and what that means for the policy."""

from __future__ import annotations

from ivr.outcome import CallOutcome
from scripts_zh.dialogue_events import CallOutcome as DialogueOutcome
from storage.campaign_models import AttemptOutcome

# Outcomes that end the campaign for the policy: the holder was reached (or wants an agent).
CLOSING = frozenset({AttemptOutcome.SUCCESS, AttemptOutcome.PROBLEM_CASE,
                     AttemptOutcome.WANTS_HUMAN})

_BY_DIALOGUE = {
    DialogueOutcome.ALL_CONFIRMED: AttemptOutcome.SUCCESS,
    DialogueOutcome.COMPLETED_WITH_PROBLEMS: AttemptOutcome.PROBLEM_CASE,
    # Someone else answered for the holder: a problem case (规避回访), not a retry.
    DialogueOutcome.IDENTITY_FAILED: AttemptOutcome.PROBLEM_CASE,
    DialogueOutcome.TRANSFERRED: AttemptOutcome.WANTS_HUMAN,
    DialogueOutcome.NO_RESPONSE: AttemptOutcome.NO_ANSWER,  # answered, never a word: voicemail?
    DialogueOutcome.HUNG_UP: AttemptOutcome.HUNG_UP,
}

_BY_CALL = {
    CallOutcome.TRANSFERRED: AttemptOutcome.WANTS_HUMAN,
    CallOutcome.BUSY: AttemptOutcome.BUSY,
    CallOutcome.NO_ANSWER: AttemptOutcome.NO_ANSWER,
    CallOutcome.CANCELLED: AttemptOutcome.NO_ANSWER,
    CallOutcome.INVALID_NUMBER: AttemptOutcome.INVALID_NUMBER,
    CallOutcome.REJECTED: AttemptOutcome.REFUSED,
    CallOutcome.PEER_HUNG_UP: AttemptOutcome.HUNG_UP,
    CallOutcome.COMPLETED: AttemptOutcome.HUNG_UP,  # answered, but the script never ended
    CallOutcome.MEDIA_TIMEOUT: AttemptOutcome.FAILED,
    CallOutcome.FAILED: AttemptOutcome.FAILED,
}


def attempt_outcome(call_outcome: str | None, dialogue_outcome: str | None) -> AttemptOutcome:
    """The attempt's outcome from a CallRecord's `outcome` and `dialogue_outcome` values."""
    if call_outcome == CallOutcome.TRANSFERRED.value:
        return AttemptOutcome.WANTS_HUMAN
    if dialogue_outcome in _BY_DIALOGUE:
        return _BY_DIALOGUE[DialogueOutcome(dialogue_outcome)]
    if call_outcome in _BY_CALL:
        return _BY_CALL[CallOutcome(call_outcome)]
    return AttemptOutcome.FAILED
