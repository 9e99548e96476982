"""What a callback leaves to do beyond its items, from the events the dialogue already emits:
a complaint heard (投诉, 强烈抱怨) opens a complaint, a surrender request (退保) goes to policy
service (保全), and each promise the robot made becomes a task with a due time."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session

from scripts_zh.customer_requests import RequestKind, request_kinds
from scripts_zh.dialogue_events import (
    AnswerHeard,
    AnswerSource,
    DialogueEvent,
    Prompt,
    SurrenderOrComplaint,
)
from scripts_zh.promises import promises_in
from storage.complaints import open_complaint
from storage.customer_promises import keep_by_call, record_promises
from storage.models import CallRecord, Policy
from storage.policy_service import request_surrender
from storage.problem_cases import DeadlineRules
from storage.service_models import (
    Complaint,
    ComplaintChannel,
    ComplaintKind,
    ServiceRequest,
)

_COMPLAINTS = (RequestKind.COMPLAINT, RequestKind.STRONG_COMPLAINT)


def record_followups(session: Session, call: CallRecord, events: Iterable[DialogueEvent],
                     now: datetime, rules: DeadlineRules) -> None:  # fmt: skip
    """Open the complaint, the service request and the promise tasks a stored call implies."""
    events = list(events)
    heard = _heard(events)
    if heard:  # the customer was reached: earlier promises to contact them are kept
        keep_by_call(session, call, now)
    policy = session.get(Policy, call.policy_id) if call.policy_id is not None else None
    if policy is None:
        return
    said = [(text, request_kinds(text)) for text in heard]
    # The dialogue heard a surrender or complaint the split cannot name: a complaint, to be safe.
    flagged = {e.evidence.text for e in events if isinstance(e, SurrenderOrComplaint)}
    said = [(t, kinds or (frozenset({RequestKind.COMPLAINT}) if t in flagged else kinds))
            for t, kinds in said]  # fmt: skip
    complaints = [(t, kinds) for t, kinds in said if kinds & set(_COMPLAINTS)]
    # An agent on the call may have registered it already (storage.agent_actions): not twice.
    if complaints and not _has(session, Complaint.call_id == call.id):
        formal = any(RequestKind.COMPLAINT in kinds for _, kinds in complaints)
        open_complaint(
            session, summary="；".join(t for t, _ in complaints), channel=ComplaintChannel.CALLBACK,
            kind=ComplaintKind.COMPLAINT if formal else ComplaintKind.STRONG,
            received_at=now, rules=rules, policy_id=policy.id, call_id=call.id,
        )  # fmt: skip
    surrender = [t for t, kinds in said if RequestKind.SURRENDER in kinds]
    if surrender and not _has(session, ServiceRequest.call_id == call.id):
        request_surrender(session, policy, "；".join(surrender), now, rules, call_id=call.id)
    promises = [p for e in events if isinstance(e, Prompt) for p in promises_in(e.text)]
    record_promises(session, call, promises, now, rules)


def _has(session: Session, condition: ColumnElement[bool]) -> bool:
    """Whether a row meets the condition."""
    return bool(session.scalar(select(exists().where(condition))))


def _heard(events: list[DialogueEvent]) -> list[str]:
    """The customer's spoken answers, in order, each once."""
    texts = [e.evidence.text for e in events
             if isinstance(e, AnswerHeard) and e.evidence.source is AnswerSource.SPEECH]
    return list(dict.fromkeys(text for text in texts if text.strip()))
