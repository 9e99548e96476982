"""Calls as the API shows them, masked by the reader's role."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from storage.models import AnswerEvidence, CallRecord, ItemAnswer
from storage.policy_view import policy_view
from zhtext.personal_numbers import mask_personal_numbers


class CallSummary(BaseModel):
    """One line of the calls list."""

    id: int
    direction: str
    started_at: datetime
    ended_at: datetime | None
    outcome: str | None
    dialogue_outcome: str | None
    agent: str | None
    policy_no: str | None
    holder_name: str | None


class EvidenceOut(BaseModel):
    """One answer heard for a script step."""

    text: str
    start_ms: int
    end_ms: int
    source: str
    answer_class: str | None


class ItemAnswerOut(BaseModel):
    """How one script step ended, with what was heard."""

    step_id: str
    item: int | None
    verdict: str
    reason: str | None
    problem_kind: str | None
    topic: str | None
    evidence: list[EvidenceOut]


class CallDetail(CallSummary):
    """A call with its policy card and item answers."""

    sip_uri: str
    masked: bool
    policy: dict[str, Any] | None
    answers: list[ItemAnswerOut]


def call_summary(call: CallRecord) -> CallSummary:
    """The list line: no phone or ID numbers at all, whatever the role."""
    return CallSummary(**_summary_fields(call))


def call_detail(call: CallRecord, *, masked: bool) -> CallDetail:
    """The call in full; masked hides phone, ID and card numbers everywhere in it."""
    text = mask_personal_numbers if masked else str
    return CallDetail(
        **_summary_fields(call),
        sip_uri=text(call.sip_uri),
        masked=masked,
        policy=policy_view(call.policy, masked=masked) if call.policy else None,
        answers=[_answer(answer, masked) for answer in call.answers],
    )


def _summary_fields(call: CallRecord) -> dict[str, Any]:
    return {
        "id": call.id,
        "direction": call.direction.value,
        "started_at": call.started_at,
        "ended_at": call.ended_at,
        "outcome": call.outcome,
        "dialogue_outcome": call.dialogue_outcome,
        "agent": call.agent.username if call.agent else None,
        "policy_no": call.policy.policy_no if call.policy else None,
        "holder_name": call.policy.holder_name if call.policy else None,
    }


def _answer(answer: ItemAnswer, masked: bool) -> ItemAnswerOut:
    return ItemAnswerOut(
        step_id=answer.step_id, item=answer.item, verdict=answer.verdict.value,
        reason=answer.reason, problem_kind=answer.problem_kind, topic=answer.topic,
        evidence=[_evidence(item, masked) for item in answer.evidence],
    )  # fmt: skip


def _evidence(evidence: AnswerEvidence, masked: bool) -> EvidenceOut:
    return EvidenceOut(
        text=mask_personal_numbers(evidence.text) if masked else evidence.text,
        start_ms=evidence.start_ms, end_ms=evidence.end_ms, source=evidence.source,
        answer_class=evidence.answer_class,
    )  # fmt: skip
