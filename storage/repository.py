"""The queries and writes the rest of huifang makes, over one session (one transaction)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, selectinload

from scripts_zh.dialogue_events import CallOutcome as DialogueOutcome
from scripts_zh.dialogue_events import DialogueEvent, ProblemReason
from storage.audit import SYSTEM, record_change
from storage.callback_followups import record_followups
from storage.dialogue_record import dialogue_outcome, item_answers_from_events
from storage.models import (
    CallDirection,
    CallRecord,
    CaseStatus,
    ItemAnswer,
    Policy,
    ProblemCase,
    Verdict,
)
from storage.ownership import CallOwner
from storage.problem_cases import DeadlineRules, case_fields
from storage.working_days import load_calendar
from zhtext.phones import caller_digits

# A callback that reached the holder and went through the script needs no further attempt.
REACHED = (DialogueOutcome.ALL_CONFIRMED.value, DialogueOutcome.COMPLETED_WITH_PROBLEMS.value)
# Complaints and surrender requests have their own clocks, not a problem case's 15 days.
_OWN_WORKFLOW = ProblemReason.SURRENDER_OR_COMPLAINT.value


class Repository:
    """Policies, calls, item answers and problem cases; the caller commits (Database.session)."""

    def __init__(self, session: Session, rules: DeadlineRules | None = None) -> None:
        self.session = session
        self._rules = rules

    @property
    def rules(self) -> DeadlineRules:
        """The calendar follow-ups are timed by: given, or the bundled holiday calendar."""
        if self._rules is None:
            self._rules = DeadlineRules(calendar=load_calendar())
        return self._rules

    # -- policies ------------------------------------------------------------------------

    def policy(self, policy_no: str) -> Policy | None:
        """The policy with this number (case and spaces ignored), None if unknown."""
        wanted = policy_no.strip().upper()
        return self.session.scalar(select(Policy).where(Policy.policy_no == wanted))

    def policies_for_caller(self, caller: str) -> list[Policy]:
        """Policies whose phone is the caller's number (any SIP or dial form), newest first."""
        digits = caller_digits(caller)
        if digits is None:
            return []
        query = (
            select(Policy)
            .where(Policy.phone == digits)
            .order_by(Policy.receipt_date.desc(), Policy.id.desc())
        )
        return list(self.session.scalars(query))

    def deadlines_within(
        self, today: date, days: int, *, unreached_only: bool = True
    ) -> list[Policy]:
        """Policies whose 犹豫期 ends between today and today + days, earliest deadline first.

        unreached_only leaves out policies whose holder already went through the script.
        """
        query = select(Policy).where(
            Policy.cooling_off_deadline >= today,
            Policy.cooling_off_deadline <= today + timedelta(days=days),
        )
        if unreached_only:
            reached = exists().where(
                CallRecord.policy_id == Policy.id, CallRecord.dialogue_outcome.in_(REACHED)
            )
            query = query.where(~reached)
        query = query.order_by(Policy.cooling_off_deadline, Policy.policy_no)
        return list(self.session.scalars(query))

    # -- calls ---------------------------------------------------------------------------

    def start_call(
        self,
        policy: Policy | None,
        direction: CallDirection,
        sip_uri: str,
        started_at: datetime | None = None,
        owner: CallOwner | None = None,
    ) -> CallRecord:
        """A new call record (its id assigned now), before the outcome is known.

        `owner`: the process handling a live call, so a crash leaves it to be settled.
        """
        call = CallRecord(
            policy=policy,
            direction=direction,
            sip_uri=sip_uri,
            started_at=started_at or datetime.now(UTC),
        )
        if owner is not None:
            call.owner_node, call.owner_pid = owner.node, owner.pid
            call.owner_started = owner.started
        self.session.add(call)
        self.session.flush()
        return call

    def finish_call(
        self,
        call: CallRecord,
        outcome: str,
        ended_at: datetime | None = None,
        recording_path: str | None = None,
    ) -> None:
        """Record how the call ended (an ivr.outcome.CallOutcome value) and its recording."""
        call.outcome = str(outcome)
        call.ended_at = ended_at or datetime.now(UTC)
        if recording_path is not None:
            call.recording_path = recording_path

    def record_dialogue(
        self, call: CallRecord, events: Iterable[DialogueEvent], now: datetime | None = None
    ) -> list[ItemAnswer]:
        """Store the dialogue's item answers with evidence; each problem item opens a 问题件,
        except a surrender or complaint, which opens its own follow-up (callback_followups)."""
        events = list(events)
        now = now or datetime.now(UTC)
        answers = item_answers_from_events(events)
        call.answers.extend(answers)
        call.dialogue_outcome = dialogue_outcome(events) or call.dialogue_outcome
        self.session.flush()
        if call.policy_id is not None:
            for answer in answers:
                if answer.verdict is Verdict.PROBLEM and answer.reason != _OWN_WORKFLOW:
                    self._open_case(call, answer, now)
        record_followups(self.session, call, events, now, self.rules)
        self.session.flush()
        return answers

    def call(self, call_id: int) -> CallRecord | None:
        """A call with its answers and their evidence loaded."""
        query = (
            select(CallRecord)
            .where(CallRecord.id == call_id)
            .options(selectinload(CallRecord.answers).selectinload(ItemAnswer.evidence))
        )
        return self.session.scalar(query)

    # -- problem cases -------------------------------------------------------------------

    def problem_cases(self, policy: Policy, status: CaseStatus | None = None) -> list[ProblemCase]:
        """A policy's problem cases, oldest first, optionally only those in one status."""
        query = select(ProblemCase).where(ProblemCase.policy_id == policy.id)
        if status is not None:
            query = query.where(ProblemCase.status == status)
        return list(self.session.scalars(query.order_by(ProblemCase.id)))

    def _open_case(self, call: CallRecord, answer: ItemAnswer, now: datetime) -> ProblemCase:
        assert call.policy_id is not None
        case = ProblemCase(
            policy_id=call.policy_id,
            call_id=call.id,
            item_answer_id=answer.id,
            kind=answer.problem_kind or "process",
            reason=answer.reason or "",
            status=CaseStatus.OPEN,
            opened_at=now,
        )
        self.session.add(case)
        self.session.flush()
        # The robot opened it: the audit trail says so, as it does for a reviewer's case.
        record_change(self.session, SYSTEM, "case.open", "problem_case", case.id, None,
                      case_fields(case), at=now)  # fmt: skip
        return case
