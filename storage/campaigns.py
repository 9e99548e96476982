"""Campaign state in the database: enrolment, claims, outcomes, the do-not-call list.

Every method works inside the caller's session (one transaction, see Database.session). A
claim commits before the INVITE; the partial unique indexes of campaign_attempts make a second
claim on the same policy or number fail with IntegrityError, which `claim_attempt` turns into
None, whichever process tried; on PostgreSQL a policy another node is claiming right now is
skipped (FOR UPDATE SKIP LOCKED), so nodes sharing one database never wait on each other.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from storage.campaign_models import (
    AttemptOutcome,
    AttemptStatus,
    CampaignAttempt,
    CampaignPolicy,
    CampaignState,
    DoNotCall,
)
from storage.dedicated_callbacks import assigned_to_agent
from storage.letters_visits import fill_queue
from storage.models import CallDirection, CallRecord, Policy
from zhtext.phones import normalise_phone

# Policy numbers per IN query when enrolling: below every backend's parameter limit.
_ENROL_BATCH = 500


@dataclass(frozen=True)
class Enrolment:
    """What enrolling a list of policy numbers did."""

    enrolled: int
    already: int


@dataclass(frozen=True)
class CampaignCounts:
    """The campaign at a glance: policies per state, final outcomes, attempt outcomes."""

    states: dict[str, int]
    final_outcomes: dict[str, int]
    attempt_outcomes: dict[str, int]
    attempts_running: int


class CampaignStore:
    """Campaign tables over one session; the caller commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # -- enrolment -----------------------------------------------------------------------

    def enrol(self, policy_nos: Iterable[str], now: datetime) -> Enrolment:
        """Put these policies in the campaign as pending; those already in it stay as they are."""
        numbers = list(dict.fromkeys(policy_nos))
        enrolled = already = 0
        # In batches: a day's file of 100 000 policies exceeds any IN list's parameter limit.
        for start in range(0, len(numbers), _ENROL_BATCH):
            batch = numbers[start : start + _ENROL_BATCH]
            ids = list(self.session.scalars(select(Policy.id).where(Policy.policy_no.in_(batch))))
            present = set(self.session.scalars(
                select(CampaignPolicy.policy_id).where(CampaignPolicy.policy_id.in_(ids))))
            fresh = [pid for pid in ids if pid not in present]
            self.session.add_all(CampaignPolicy(policy_id=policy_id, state=CampaignState.PENDING,
                                                enrolled_at=now) for policy_id in fresh)
            self.session.flush()
            enrolled, already = enrolled + len(fresh), already + len(present)
        return Enrolment(enrolled, already)

    # -- what the scheduler needs --------------------------------------------------------

    def waiting(self, due_by: datetime | None = None, limit: int | None = None,
                deadline_by: date | None = None) -> list[CampaignPolicy]:
        """Pending policies (policy and attempts loaded), earliest deadline first.

        due_by keeps those not deferred past it (next_attempt_at); deadline_by adds back every
        pending policy whose 犹豫期 ends by then, deferred or not, however many there are.
        """
        # A policy given to a dedicated agent (专人回访) is never the robot's to dial.
        query = (select(CampaignPolicy).join(Policy)
                 .where(CampaignPolicy.state == CampaignState.PENDING, ~assigned_to_agent())
                 .options(selectinload(CampaignPolicy.policy),
                          selectinload(CampaignPolicy.attempts))
                 .order_by(Policy.cooling_off_deadline, Policy.policy_no))
        if due_by is not None:
            due = query.where((CampaignPolicy.next_attempt_at.is_(None))
                              | (CampaignPolicy.next_attempt_at <= due_by))
            found = {e.id: e for e in self.session.scalars(due.limit(limit))}
        else:
            found = {e.id: e for e in self.session.scalars(query.limit(limit))}
        if deadline_by is not None:
            near = query.where(Policy.cooling_off_deadline <= deadline_by)
            found.update((e.id, e) for e in self.session.scalars(near))
        return list(found.values())

    def defer(self, until: dict[int, datetime]) -> None:
        """Note when each pending policy falls due next, so rounds before then skip it."""
        for campaign_policy_id, moment in until.items():
            self.session.execute(update(CampaignPolicy)
                                 .where(CampaignPolicy.id == campaign_policy_id,
                                        CampaignPolicy.state == CampaignState.PENDING)
                                 .values(next_attempt_at=moment))

    def next_deferred(self) -> datetime | None:
        """The earliest moment a deferred pending policy falls due."""
        return self.session.scalar(select(func.min(CampaignPolicy.next_attempt_at)).where(
            CampaignPolicy.state == CampaignState.PENDING))

    def dialling_phones(self) -> set[str]:
        """Numbers with an attempt in progress (never dial one twice at once)."""
        query = select(CampaignAttempt.phone).where(
            CampaignAttempt.status == AttemptStatus.IN_PROGRESS)
        return set(self.session.scalars(query))

    def running(self) -> list[CampaignAttempt]:
        """Attempts in progress, any worker."""
        query = select(CampaignAttempt).where(CampaignAttempt.status == AttemptStatus.IN_PROGRESS)
        return list(self.session.scalars(query.order_by(CampaignAttempt.id)))

    # -- claims and outcomes -------------------------------------------------------------

    def claim_attempt(self, campaign_policy_id: int, phone: str, sip_uri: str, worker: str,
                      lease_until: datetime, now: datetime) -> CampaignAttempt | None:
        """A new in-progress attempt, or None when the policy is no longer pending.

        On PostgreSQL the policy row is locked first with FOR UPDATE SKIP LOCKED: a node whose
        claim on the same policy is under way is skipped at once instead of waited for (SQLite
        has no row locks; its single writer serialises the claims)."""
        free = self.session.scalar(
            select(CampaignPolicy.id)
            .where(CampaignPolicy.id == campaign_policy_id,
                   CampaignPolicy.state == CampaignState.PENDING)
            .with_for_update(skip_locked=True))
        if free is None:
            return None
        moved = self.session.execute(
            update(CampaignPolicy)
            .where(CampaignPolicy.id == campaign_policy_id,
                   CampaignPolicy.state == CampaignState.PENDING)
            .values(state=CampaignState.IN_PROGRESS))
        if moved.rowcount != 1:  # type: ignore[attr-defined]
            return None
        last = self.session.scalar(select(func.max(CampaignAttempt.seq)).where(
            CampaignAttempt.campaign_policy_id == campaign_policy_id))
        attempt = CampaignAttempt(
            campaign_policy_id=campaign_policy_id, seq=(last or 0) + 1, phone=phone,
            sip_uri=sip_uri, status=AttemptStatus.IN_PROGRESS, worker=worker,
            lease_until=lease_until, started_at=now, dialled=True)
        self.session.add(attempt)
        self.session.flush()  # IntegrityError here when another worker won the race
        return attempt

    def attach_call(self, attempt_id: int, call_id: int) -> None:
        """Note the CallRecord an attempt placed (committed as soon as it exists)."""
        attempt = self._attempt(attempt_id)
        attempt.call_id = call_id

    def finish_attempt(self, attempt_id: int, outcome: AttemptOutcome, now: datetime, *,
                       detail: str = "", call_id: int | None = None,
                       dialled: bool = True, retry_at: datetime | None = None) -> bool:
        """Record an attempt's outcome and move its policy on; False if it was finished before."""
        attempt = self._attempt(attempt_id)
        if attempt.status is AttemptStatus.FINISHED:
            return False
        attempt.status = AttemptStatus.FINISHED
        attempt.outcome = outcome
        attempt.ended_at = now
        attempt.detail = detail[:200] or None
        attempt.dialled = dialled
        if call_id is not None:
            attempt.call_id = call_id
        entry = attempt.campaign_policy
        if entry.state is CampaignState.IN_PROGRESS:
            if outcome in CLOSING_OUTCOMES:
                entry.state = CampaignState.DONE
                entry.final_outcome = outcome
                entry.closed_at = now
            else:
                entry.state = CampaignState.PENDING
                entry.next_attempt_at = retry_at  # None: the scheduler works out the next slot
        self.session.flush()
        return True

    def hand_over(self, campaign_policy_id: int, reason: str, now: datetime) -> None:
        """Move a pending policy to the letter-or-visit list (信函/上门回访) with its reasons."""
        entry = self.session.get(CampaignPolicy, campaign_policy_id)
        if entry is None or entry.state is not CampaignState.PENDING:
            return
        entry.state = CampaignState.LETTER_OR_VISIT
        entry.closing_reason = reason
        entry.closed_at = now
        fill_queue(self.session, now)  # the letter-or-visit work queue takes it at once

    def call_for(self, attempt: CampaignAttempt) -> CallRecord | None:
        """The call record an attempt placed, found by id or (if the id never got written) as
        the first outbound call to its policy that started after the claim."""
        if attempt.call_id is not None:
            return self.session.get(CallRecord, attempt.call_id)
        claimed = select(CampaignAttempt.call_id).where(CampaignAttempt.call_id.is_not(None))
        query = (select(CallRecord)
                 .where(CallRecord.policy_id == attempt.campaign_policy.policy_id,
                        CallRecord.direction == CallDirection.OUTBOUND,
                        CallRecord.started_at >= attempt.started_at - timedelta(seconds=1),
                        CallRecord.id.not_in(claimed))
                 .order_by(CallRecord.started_at, CallRecord.id))
        return self.session.scalars(query).first()

    # -- do-not-call list ----------------------------------------------------------------

    def add_do_not_call(self, phone: str, reason: str, now: datetime) -> bool:
        """Add a number; False if it was on the list already."""
        digits = _digits(phone)
        if self.session.scalar(select(DoNotCall).where(DoNotCall.phone == digits)) is not None:
            return False
        self.session.add(DoNotCall(phone=digits, reason=reason, added_at=now))
        self.session.flush()
        return True

    def remove_do_not_call(self, phone: str) -> bool:
        """Take a number off the list; False if it was not on it."""
        entry = self.session.scalar(select(DoNotCall).where(DoNotCall.phone == _digits(phone)))
        if entry is None:
            return False
        self.session.delete(entry)
        return True

    def do_not_call(self) -> list[DoNotCall]:
        """The list, oldest first."""
        return list(self.session.scalars(select(DoNotCall).order_by(DoNotCall.id)))

    # -- status --------------------------------------------------------------------------

    def counts(self) -> CampaignCounts:
        """Policies per state and final outcome; finished attempts per outcome."""
        states = Counter[str]()
        finals = Counter[str]()
        for state, final, n in self.session.execute(
                select(CampaignPolicy.state, CampaignPolicy.final_outcome, func.count())
                .group_by(CampaignPolicy.state, CampaignPolicy.final_outcome)):
            states[state.value] += n
            if final is not None:
                finals[final.value] += n
        attempts = Counter[str]()
        running = 0
        for status, outcome, n in self.session.execute(
                select(CampaignAttempt.status, CampaignAttempt.outcome, func.count())
                .group_by(CampaignAttempt.status, CampaignAttempt.outcome)):
            if status is AttemptStatus.IN_PROGRESS:
                running += n
            elif outcome is not None:
                attempts[outcome.value] += n
        return CampaignCounts(dict(states), dict(finals), dict(attempts), running)

    def at_risk(self, until: date) -> list[CampaignPolicy]:
        """Policies not yet reached whose 犹豫期 ends by `until`, earliest first."""
        query = (select(CampaignPolicy).join(Policy)
                 .where(CampaignPolicy.state.in_([CampaignState.PENDING,
                                                  CampaignState.IN_PROGRESS]),
                        Policy.cooling_off_deadline <= until)
                 .options(selectinload(CampaignPolicy.policy),
                          selectinload(CampaignPolicy.attempts))
                 .order_by(Policy.cooling_off_deadline, Policy.policy_no))
        return list(self.session.scalars(query))

    def handed_over(self) -> list[CampaignPolicy]:
        """The letter-or-visit list, earliest deadline first."""
        query = (select(CampaignPolicy).join(Policy)
                 .where(CampaignPolicy.state == CampaignState.LETTER_OR_VISIT)
                 .options(selectinload(CampaignPolicy.policy))
                 .order_by(Policy.cooling_off_deadline, Policy.policy_no))
        return list(self.session.scalars(query))

    def wanting_a_human(self) -> list[CampaignPolicy]:
        """Policies whose holder asked for an agent (转人工), oldest request first."""
        query = (select(CampaignPolicy).join(Policy)
                 .where(CampaignPolicy.final_outcome == AttemptOutcome.WANTS_HUMAN)
                 .options(selectinload(CampaignPolicy.policy),
                          selectinload(CampaignPolicy.attempts))
                 .order_by(CampaignPolicy.closed_at, Policy.policy_no))
        return list(self.session.scalars(query))

    def _attempt(self, attempt_id: int) -> CampaignAttempt:
        attempt = self.session.get(CampaignAttempt, attempt_id)
        if attempt is None:
            raise LookupError(f"campaign attempt {attempt_id} vanished from the database")
        return attempt


def policy_line(entry: CampaignPolicy) -> dict[str, object]:
    """What `campaign status` lists of one policy: number, deadline, state, attempts, reason."""
    return {"policy_no": entry.policy.policy_no,
            "deadline": entry.policy.cooling_off_deadline.isoformat(),
            "state": entry.state.value,
            "attempts": sum(1 for a in entry.attempts if a.dialled),
            "reason": entry.closing_reason}


# The holder was reached, or asked for an agent: the campaign is done with the policy.
CLOSING_OUTCOMES = frozenset({AttemptOutcome.SUCCESS, AttemptOutcome.PROBLEM_CASE,
                              AttemptOutcome.WANTS_HUMAN})


def _digits(phone: str) -> str:
    """A number in the form policies store it; ValueError saying why something is not one."""
    return normalise_phone(phone)
