"""What an automated callback emits: a small closed vocabulary of immutable events."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from scripts_zh.answer_class import AnswerClass


class EventKind(StrEnum):
    """The kinds of dialogue event."""

    PROMPT = "prompt"
    ANSWER = "answer"
    ITEM_CONFIRMED = "item_confirmed"
    PROBLEM_ITEM = "problem_item"
    SURRENDER_OR_COMPLAINT = "surrender_or_complaint"
    TRANSFER = "transfer"
    CALL_ENDED = "call_ended"


class PromptPurpose(StrEnum):
    """Why a prompt is played."""

    OPENING = "opening"
    ASK = "ask"
    RETRY = "retry"
    EXPLAIN = "explain"
    NOTICE = "notice"  # acknowledgements: question noted, complaint recorded, transfer
    CLOSING = "closing"


class AnswerSource(StrEnum):
    """How the customer answered."""

    SPEECH = "speech"
    DTMF = "dtmf"
    TIMEOUT = "timeout"


class ProblemReason(StrEnum):
    """Why an item could not be confirmed (问题件 reasons)."""

    DENIED = "denied"  # a no to a confirm step, or a yes to a deny step
    UNSURE = "unsure"  # still unsure or asking after the explanation
    NEEDED_EXPLANATION = "needed_explanation"  # confirmed only after explaining (特别关注)
    NO_CLEAR_ANSWER = "no_clear_answer"
    NO_ANSWER = "no_answer"
    IDENTITY_MISMATCH = "identity_mismatch"
    NOT_POLICYHOLDER = "not_policyholder"
    SURRENDER_OR_COMPLAINT = "surrender_or_complaint"


class CallOutcome(StrEnum):
    """How the automated callback ended."""

    ALL_CONFIRMED = "all_confirmed"
    COMPLETED_WITH_PROBLEMS = "completed_with_problems"
    TRANSFERRED = "transferred"
    IDENTITY_FAILED = "identity_failed"
    NO_RESPONSE = "no_response"
    HUNG_UP = "hung_up"


@dataclass(frozen=True)
class Evidence:
    """One answer as heard: the transcript (or key), its times and what it was understood as."""

    text: str
    start_ms: int
    end_ms: int
    source: AnswerSource
    answer_class: AnswerClass | None  # None for identity data checked against the record


@dataclass(frozen=True)
class Prompt:
    """Text the transport must play to the customer."""

    text: str
    purpose: PromptPurpose
    step_id: str | None = None
    kind: EventKind = field(default=EventKind.PROMPT, init=False)


@dataclass(frozen=True)
class AnswerHeard:
    """An answer to the current step and how it was understood."""

    step_id: str
    evidence: Evidence
    kind: EventKind = field(default=EventKind.ANSWER, init=False)


@dataclass(frozen=True)
class ItemConfirmed:
    """A step confirmed by the customer, with the answers that confirmed it."""

    step_id: str
    item: int | None
    evidence: tuple[Evidence, ...]
    kind: EventKind = field(default=EventKind.ITEM_CONFIRMED, init=False)


@dataclass(frozen=True)
class ProblemItem:
    """A step that could not be confirmed (问题件), with the reason and every answer heard."""

    step_id: str
    item: int | None
    topic: str
    reason: ProblemReason
    problem_kind: str
    evidence: tuple[Evidence, ...]
    kind: EventKind = field(default=EventKind.PROBLEM_ITEM, init=False)


@dataclass(frozen=True)
class SurrenderOrComplaint:
    """The customer asked to surrender (退保) or complained (投诉) during a step."""

    step_id: str
    evidence: Evidence
    kind: EventKind = field(default=EventKind.SURRENDER_OR_COMPLAINT, init=False)


@dataclass(frozen=True)
class TransferToHuman:
    """The transport must bridge the customer to a human agent (转人工)."""

    step_id: str | None
    reason: str
    at_ms: int
    kind: EventKind = field(default=EventKind.TRANSFER, init=False)


@dataclass(frozen=True)
class CallEnded:
    """The dialogue is over: the outcome and which steps ended how."""

    outcome: CallOutcome
    at_ms: int
    confirmed: tuple[str, ...]
    problems: tuple[str, ...]
    not_reached: tuple[str, ...]
    kind: EventKind = field(default=EventKind.CALL_ENDED, init=False)


DialogueEvent = (
    Prompt
    | AnswerHeard
    | ItemConfirmed
    | ProblemItem
    | SurrenderOrComplaint
    | TransferToHuman
    | CallEnded
)
