"""The campaign's database steps, each one short transaction (run from async code in a thread).

Enrol from a policy file, plan a round and claim its attempts, finish an attempt, and resolve
the attempts of a worker that died: an in-progress attempt is settled from its call record,
never dialled again blindly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.exc import IntegrityError, OperationalError

from huifang.campaign.configured import DialPlan
from huifang.campaign.outcomes import attempt_outcome
from huifang.campaign.schedule import CallingRules, Candidate, PastAttempt, Plan, plan
from storage.audit import SYSTEM, Actor
from storage.campaign_models import AttemptOutcome, CampaignAttempt, CampaignPolicy
from storage.campaigns import CampaignStore, Enrolment
from storage.database import Database
from storage.phone_cue_flags import flag_stored_phone_cues
from storage.policy_import import ImportReport, import_policy_file
from storage.recovery import INTERRUPTED, settle_call

log = logging.getLogger(__name__)
# Due policies a round looks at, earliest deadline first: enough to fill every free line even
# when many of them wait for a number being dialled, few enough to keep a round cheap.
PLAN_WINDOW = 200


@dataclass(frozen=True)
class Dial:
    """A claimed attempt, ready to dial."""

    attempt_id: int
    policy_no: str
    phone: str
    uri: str


@dataclass(frozen=True)
class Round:
    """One planning round: the attempts claimed and the plan they came from."""

    dials: tuple[Dial, ...]
    plan: Plan
    running: int  # attempts in progress (any worker) when the round was planned
    lost: int = 0  # claims another worker made first (or a busy database refused): not idle


def enrol_file(
    db: Database, path: Path, now: datetime, *, source: str | None = None, actor: Actor = SYSTEM
) -> tuple[ImportReport, Enrolment]:
    """Import a policy file (same validation and change records as `policies import`) and
    enrol its good rows."""
    report = import_policy_file(db, path, now, source=source, actor=actor)
    flag_stored_phone_cues(db, report.policy_nos, now)
    with db.session() as session:
        enrolment = CampaignStore(session).enrol(report.policy_nos, now)
    return report, enrolment


def candidate(entry: CampaignPolicy) -> Candidate:
    """A pending policy as the scheduler sees it: only attempts that really dialled count."""
    attempts = tuple(PastAttempt(a.started_at, a.outcome, a.detail or "")
                     for a in entry.attempts if a.dialled)
    return Candidate(entry.id, entry.policy.policy_no, entry.policy.phone,
                     entry.policy.cooling_off_deadline, attempts)


def plan_round(db: Database, rules: CallingRules, dial_plan: DialPlan, now: datetime,
               free_lines: int, worker: str, lease_until: datetime) -> Round:
    """Plan now, hand over the policies out of time, and claim attempts for the free lines."""
    with db.session() as session:
        store = CampaignStore(session)
        # Only what can matter now: policies due (up to a window, earliest deadline first)
        # and those whose letter cutoff is near; the rest were deferred by earlier rounds.
        near = rules.calendar.local(now).date() + timedelta(days=rules.letter_lead_days + 1)
        entries = store.waiting(due_by=now, limit=PLAN_WINDOW, deadline_by=near)
        candidates = [candidate(entry) for entry in entries]
        blocked = {entry.phone for entry in store.do_not_call()}
        busy = store.dialling_phones()
        decided = plan(rules, now, candidates, free_lines=free_lines, busy_phones=busy,
                       do_not_call=blocked)
        for letter in decided.letters:
            store.hand_over(letter.candidate.campaign_policy_id, letter.explanation(), now)
        store.defer({later.campaign_policy_id: slot for later, slot in decided.later})
        deferred = store.next_deferred()
    if deferred is not None and (decided.next_due is None or deferred < decided.next_due):
        decided = replace(decided, next_due=deferred)
    dials, lost = [], 0
    for chosen in decided.dial:
        try:
            uri = dial_plan.uri(chosen.phone)
        except ValueError as err:
            log.warning("policy %s not dialled: %s", chosen.policy_no, err)
            continue
        attempt_id = claim(db, chosen, uri, worker, lease_until, now)
        if attempt_id is None:
            lost += 1
        else:
            dials.append(Dial(attempt_id, chosen.policy_no, chosen.phone, uri))
    return Round(tuple(dials), decided, len(busy), lost)


def claim(db: Database, chosen: Candidate, uri: str, worker: str, lease_until: datetime,
          now: datetime) -> int | None:
    """Claim the next attempt at a policy (committed); None when another worker was first."""
    try:
        with db.session() as session:
            attempt = CampaignStore(session).claim_attempt(
                chosen.campaign_policy_id, chosen.phone, uri, worker, lease_until, now)
            return None if attempt is None else attempt.id
    except IntegrityError:
        return None
    except OperationalError as err:  # busy: skip it this round rather than orphan the others
        log.warning("claim of %s skipped: %s", chosen.policy_no, err.orig)
        return None


def note_call(db: Database, attempt_id: int, call_id: int) -> None:
    """Remember the call record an attempt opened."""
    with db.session() as session:
        CampaignStore(session).attach_call(attempt_id, call_id)


def finish(db: Database, attempt_id: int, outcome: AttemptOutcome, now: datetime, *,
           detail: str = "", call_id: int | None = None, dialled: bool = True,
           retry_at: datetime | None = None) -> None:
    """Record how an attempt ended and move its policy on (not before retry_at, if given)."""
    with db.session() as session:
        CampaignStore(session).finish_attempt(attempt_id, outcome, now, detail=detail,
                                              call_id=call_id, dialled=dialled,
                                              retry_at=retry_at)


def resolve_abandoned(db: Database, now: datetime,
                      gone: Callable[[str], bool]) -> list[str]:
    """Settle attempts whose worker died or whose lease ran out; one line per attempt settled."""
    settled: list[str] = []
    with db.session() as session:
        store = CampaignStore(session)
        for attempt in store.running():
            if attempt.lease_until <= now or gone(attempt.worker):
                settled.append(_settle(store, attempt, now))
    return settled


def _settle(store: CampaignStore, attempt: CampaignAttempt, now: datetime) -> str:
    """Finish one abandoned attempt from what its call record shows."""
    call = store.call_for(attempt)
    policy_no = attempt.campaign_policy.policy.policy_no
    if call is None:
        # The call record is committed before the INVITE: without one, nobody was dialled.
        store.finish_attempt(attempt.id, AttemptOutcome.FAILED, now, dialled=False,
                             detail=f"worker {attempt.worker} stopped before dialling")
        return f"{policy_no}: attempt {attempt.seq} never dialled"
    if call.ended_at is not None and call.outcome != INTERRUPTED:
        outcome = attempt_outcome(call.outcome, call.dialogue_outcome)
        store.finish_attempt(attempt.id, outcome, now, call_id=call.id,
                             detail=f"settled from call {call.id} after worker stopped")
        return f"{policy_no}: attempt {attempt.seq} {outcome} (from call {call.id})"
    # Died mid-call: settled like any interrupted call (answers so far kept, recording
    # linked); the attempt counts, so the spacing keeps the next one from following at once.
    if call.ended_at is None:  # else already settled by a start-up (huifang.call_recovery)
        settle_call(store.session, call, now)
    store.finish_attempt(attempt.id, AttemptOutcome.FAILED, now, call_id=call.id,
                         detail=f"worker stopped mid-call {call.id}")
    return f"{policy_no}: attempt {attempt.seq} interrupted mid-call {call.id}"
