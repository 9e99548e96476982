"""A flagged call as the review console shows it: flags with their decisions, the transcript
with the evidence marked, voice cues with the policies they point at; masked by role."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from huifang.web.call_views import CallSummary, call_summary
from huifang.web.transcript_view import TranscriptLine, marked_transcript
from storage.analysis import flags_for_call
from storage.analysis_models import CallFlag
from storage.models import CallRecord, Policy, User
from storage.policy_view import policy_view
from storage.review_models import FlagDisposition
from storage.transcript_models import TranscriptPass
from zhtext.personal_numbers import mask_personal_numbers


class DispositionOut(BaseModel):
    """The decision taken on a flag."""

    flag_id: int
    decision: str
    classification: str | None
    reason: str
    problem_case_id: int | None
    decided_by: str
    decided_at: datetime


class LinkedPolicy(BaseModel):
    """Another policy a cue points at, with its calls here when the policy is known."""

    policy_no: str
    score: float | None
    holder_name: str | None
    salesperson: str | None
    call_ids: list[int]


class FlagOut(BaseModel):
    """One flag with its evidence and, once decided, its disposition."""

    id: int
    kind: str
    rule_id: str
    category: str
    subcategory: str
    severity: str
    leg: str | None
    start_ms: int | None
    end_ms: int | None
    utterance: str
    span: tuple[int, int] | None
    matched: str
    explanation: str
    reasons: list[str]
    confidence: float | None
    policies: list[LinkedPolicy]
    disposition: DispositionOut | None


# A review reads the whole-call pass when there is one (better decoded), else the live one.
REVIEW_PASSES = (TranscriptPass.AFTER_CALL, TranscriptPass.LIVE)


class ReviewCall(CallSummary):
    """Everything the reviewer needs to decide on a call's flags."""

    masked: bool
    policy: dict[str, Any] | None
    has_recording: bool
    duration_ms: int | None
    flags: list[FlagOut]
    transcript: list[TranscriptLine]
    transcript_pass: str | None  # after_call / live, None: the answers and flags heard only
    # Checks this call did not run because the deployment has them off (duplicate_voice:
    # voiceprints are not kept); empty when every check ran or the call predates the record.
    checks_skipped: list[str]


def review_call(session: Session, call: CallRecord, *, masked: bool,
                has_recording: bool) -> ReviewCall:  # fmt: skip
    """The call's review view; masked hides phone, ID and card numbers in every text."""
    flags = flags_for_call(session, call.id)
    decided = _dispositions(session, [flag.id for flag in flags])
    linked = _linked_policies(session, flags)
    duration = (
        int((call.ended_at - call.started_at).total_seconds() * 1000) if call.ended_at else None
    )
    transcript = marked_transcript(session, call, flags, masked=masked, prefer=REVIEW_PASSES)
    return ReviewCall(
        **call_summary(call).model_dump(), masked=masked,
        policy=policy_view(call.policy, masked=masked) if call.policy else None,
        has_recording=has_recording, duration_ms=duration,
        flags=[_flag(flag, decided.get(flag.id), linked, masked) for flag in flags],
        transcript=transcript.lines, transcript_pass=transcript.transcript_pass,
        checks_skipped=list(call.checks_skipped or []),
    )  # fmt: skip


def disposition_out(disposition: FlagDisposition, decided_by: str) -> DispositionOut:
    """The API's view of a disposition."""
    return DispositionOut(
        flag_id=disposition.flag_id, decision=disposition.decision.value,
        classification=disposition.classification.value if disposition.classification else None,
        reason=disposition.reason, problem_case_id=disposition.problem_case_id,
        decided_by=decided_by, decided_at=disposition.decided_at,
    )  # fmt: skip


def _flag(flag: CallFlag, disposition: DispositionOut | None,
          linked: dict[str, LinkedPolicy], masked: bool) -> FlagOut:  # fmt: skip
    text = mask_personal_numbers if masked else str
    span = (flag.span_start, flag.span_end)
    return FlagOut(
        id=flag.id, kind=flag.kind.value, rule_id=flag.rule_id, category=flag.category,
        subcategory=flag.subcategory, severity=flag.severity.value,
        leg=flag.leg.value if flag.leg else None, start_ms=flag.start_ms, end_ms=flag.end_ms,
        utterance=text(flag.utterance),
        span=(span[0], span[1]) if span[0] is not None and span[1] is not None else None,
        matched=text(flag.matched), explanation=text(flag.explanation),
        reasons=[text(str(reason)) for reason in flag.reasons], confidence=flag.confidence,
        policies=[
            linked[p.policy_no].model_copy(update={"score": p.score}) for p in flag.policies
        ],
        disposition=disposition,
    )  # fmt: skip


def _dispositions(session: Session, flag_ids: list[int]) -> dict[int, DispositionOut]:
    query = (
        select(FlagDisposition, User.username)
        .join(User, User.id == FlagDisposition.decided_by)
        .where(FlagDisposition.flag_id.in_(flag_ids))
    )
    return {d.flag_id: disposition_out(d, name) for d, name in session.execute(query)}


def _linked_policies(session: Session, flags: list[CallFlag]) -> dict[str, LinkedPolicy]:
    """Each policy number the flags point at, with what this database knows of it."""
    numbers = {p.policy_no for flag in flags for p in flag.policies}
    known = {
        policy.policy_no: policy
        for policy in session.scalars(select(Policy).where(Policy.policy_no.in_(numbers)))
    }
    calls: dict[int, list[int]] = {}
    if known:
        ids = [policy.id for policy in known.values()]
        query = select(CallRecord.policy_id, CallRecord.id).where(CallRecord.policy_id.in_(ids))
        for policy_id, call_id in session.execute(query.order_by(CallRecord.id)):
            if policy_id is not None:
                calls.setdefault(policy_id, []).append(call_id)
    linked = {}
    for number in numbers:
        policy = known.get(number)
        linked[number] = LinkedPolicy(
            policy_no=number, score=None,
            holder_name=policy.holder_name if policy else None,
            salesperson=policy.salesperson if policy else None,
            call_ids=calls.get(policy.id, []) if policy else [],
        )  # fmt: skip
    return linked
