"""A reviewer's disposition of a call's flag: confirm it into a problem case (问题件),
classified and assigned, or dismiss it with a reason. Both are written to the audit trail."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.analysis_models import CallFlag, FlagKind
from storage.audit import Actor, record_change
from storage.models import CallRecord, CaseStatus, ProblemCase, User
from storage.problem_cases import DeadlineRules, ReviewError, assign_case, case_fields
from storage.review_models import CaseClass, Decision, FlagDisposition

# A problem case's kind (scripts_zh ProblemKind values) from a misleading-sale category.
_KIND_OF_CATEGORY = {"欺骗": "deception", "隐瞒": "concealment", "诱导": "inducement"}
_KIND_OF_FLAG = {
    FlagKind.VOICE_CUE: "identity",
    FlagKind.DUPLICATE_VOICE: "identity",
    FlagKind.IDENTITY: "identity",
}
_ACTION = {Decision.CONFIRMED: "flag.confirm", Decision.DISMISSED: "flag.dismiss"}


def disposition_of(session: Session, flag_id: int) -> FlagDisposition | None:
    """The decision taken on a flag, None while it waits for review."""
    return session.scalar(select(FlagDisposition).where(FlagDisposition.flag_id == flag_id))


def confirm_flag(
    session: Session,
    flag: CallFlag,
    *,
    classification: CaseClass,
    handler: User,
    note: str,
    actor: Actor,
    rules: DeadlineRules,
    now: datetime | None = None,
) -> tuple[FlagDisposition, ProblemCase]:
    """Open a problem case from the flag, classified and assigned; the flag is then decided."""
    now = now or datetime.now(UTC)
    _check_undecided(session, flag)
    call = session.get(CallRecord, flag.call_id)
    if call is None or call.policy_id is None:
        raise ReviewError("no_policy", f"call {flag.call_id} has no policy to open a case for")
    case = ProblemCase(
        policy_id=call.policy_id, call_id=call.id, kind=problem_kind(flag),
        reason=flag.rule_id[:32], status=CaseStatus.OPEN, opened_at=now,
    )  # fmt: skip
    session.add(case)
    session.flush()
    record_change(session, actor, "case.open", "problem_case", case.id, None,
                  case_fields(case), at=now)  # fmt: skip
    assign_case(session, case, classification=classification, handler=handler, actor=actor,
                rules=rules, now=now)  # fmt: skip
    disposition = _decide(
        session, flag, Decision.CONFIRMED, classification, note.strip(), case.id, actor, now
    )
    return disposition, case


def dismiss_flag(
    session: Session, flag: CallFlag, *, reason: str, actor: Actor, now: datetime | None = None
) -> FlagDisposition:
    """Dismiss the flag as not a problem; the reason is required and kept."""
    text = reason.strip()
    if not text:
        raise ReviewError("reason_required", "dismissing a flag needs a reason")
    _check_undecided(session, flag)
    return _decide(
        session, flag, Decision.DISMISSED, None, text, None, actor, now or datetime.now(UTC)
    )


def problem_kind(flag: CallFlag) -> str:
    """The problem case kind a confirmed flag stands for."""
    return _KIND_OF_FLAG.get(flag.kind) or _KIND_OF_CATEGORY.get(flag.category, "process")


def _check_undecided(session: Session, flag: CallFlag) -> None:
    decided = disposition_of(session, flag.id)
    if decided is not None:
        raise ReviewError(
            "already_decided", f"flag {flag.id} was {decided.decision.value} already"
        )


def _decide(
    session: Session,
    flag: CallFlag,
    decision: Decision,
    classification: CaseClass | None,
    reason: str,
    case_id: int | None,
    actor: Actor,
    now: datetime,
) -> FlagDisposition:
    if actor.user_id is None:
        raise ReviewError("no_user", "only a signed-in user can decide on a flag")
    disposition = FlagDisposition(
        flag_id=flag.id, call_id=flag.call_id, decision=decision, classification=classification,
        reason=reason, problem_case_id=case_id, decided_by=actor.user_id, decided_at=now,
    )  # fmt: skip
    session.add(disposition)
    session.flush()
    after = {
        "flag_id": flag.id, "call_id": flag.call_id, "decision": decision,
        "classification": classification, "reason": reason, "problem_case_id": case_id,
    }  # fmt: skip
    record_change(session, actor, _ACTION[decision], "flag", flag.id, None, after, at=now)
    return disposition
