"""The callback KPIs (回访成功率 … 咨询投诉率) per period and group, computed from the stored
policies, calls, item answers, campaign attempts and problem cases.

The queries select one row per policy, call, attempt or case (ORM, the same on SQLite and
PostgreSQL); the local-date bucketing and the counting happen here, because turning UTC
moments into local days and ISO weeks differs between the two databases' SQL.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.orm import Session

from ivr.outcome import CallOutcome
from scripts_zh.answer_class import AnswerClass
from scripts_zh.dialogue_events import ProblemReason
from storage.agent_completion import agent_completed_calls
from storage.campaign_models import (
    AttemptOutcome,
    AttemptStatus,
    CampaignAttempt,
    CampaignPolicy,
)
from storage.kpi_definitions import BY_KEY, DEFINITIONS, KpiDefinition, KpiKey, KpiUnit
from storage.kpi_periods import (
    Bucket,
    Period,
    bucket_at,
    buckets_between,
    period_start,
    previous_start,
)
from storage.models import (
    AnswerEvidence,
    CallDirection,
    CallRecord,
    CaseStatus,
    ItemAnswer,
    Policy,
    ProblemCase,
)
from storage.policy_term import in_callback_scope
from storage.problem_cases import DeadlineRules
from storage.queue_models import LetterVisit, LetterVisitResult
from storage.repository import REACHED
from storage.review_models import CaseHandling
from storage.service_models import Complaint

OVERALL = "全部"
NO_POLICY = "未关联保单"  # inbound inquiries from numbers that hold no policy
_LETTER_SUCCESS = (LetterVisitResult.CONFIRMED, LetterVisitResult.PROBLEMS)
_ANSWERED_OUTCOMES = (
    CallOutcome.COMPLETED.value, CallOutcome.PEER_HUNG_UP.value,
    CallOutcome.TRANSFERRED.value, CallOutcome.MEDIA_TIMEOUT.value,
)  # fmt: skip
_ASKING = (AnswerClass.QUESTION.value, AnswerClass.SURRENDER_OR_COMPLAINT.value)
KpiTargets = dict[KpiKey, float]
_ATTEMPT_SUCCESS = frozenset({AttemptOutcome.SUCCESS, AttemptOutcome.PROBLEM_CASE})


class Grouping(StrEnum):
    """What the figures are broken down by."""

    OVERALL = "overall"
    SALESPERSON = "salesperson"
    TEAM = "team"
    BRANCH = "branch"
    PRODUCT = "product"


@dataclass(frozen=True)
class SharpChangeRule:
    """When a figure counts as a sharp change from the period before."""

    percent_points: float = 10.0  # for shares: this many percentage points either way
    working_days: float = 3.0  # for durations: this many working days either way
    min_denominator: int = 20  # both periods must count at least this many

    def threshold(self, unit: KpiUnit) -> float:
        """The change that is sharp for a figure in this unit."""
        return self.percent_points if unit is KpiUnit.PERCENT else self.working_days


@dataclass(frozen=True)
class KpiRequest:
    """Which report: the period length, the grouping and the days (inclusive) it covers."""

    period: Period
    grouping: Grouping
    first: date
    last: date


@dataclass(frozen=True)
class Figure:
    """One KPI for one period and group, with the period before and whether it jumped."""

    key: KpiKey
    numerator: float
    denominator: int
    value: float | None  # percent 0-100 or working days; None when nothing was counted
    previous: float | None
    change: float | None
    sharp: bool
    target: float | None = None
    below_target: bool = False  # 不达标: worse than the target, in the figure's direction


@dataclass(frozen=True)
class KpiRow:
    """The figures of one period and group."""

    bucket: Bucket
    group: str
    figures: dict[KpiKey, Figure]


@dataclass(frozen=True)
class KpiReport:
    """Every figure of a request, the definitions beside them and the sharp-change rule."""

    request: KpiRequest
    buckets: list[Bucket]
    groups: list[str]
    rows: list[KpiRow]
    rule: SharpChangeRule
    definitions: tuple[KpiDefinition, ...] = DEFINITIONS
    targets: KpiTargets = field(default_factory=dict)


@dataclass
class _Tally:
    """What one figure has counted so far."""

    numerator: float = 0.0
    denominator: int = 0
    samples: list[int] = field(default_factory=list)


_Tallies = dict[tuple[date, str], dict[KpiKey, _Tally]]


@dataclass(frozen=True)
class _Dial:
    """One dialling of a policy's number (a call, or an attempt without a call record)."""

    at: datetime
    success: bool
    invalid: bool  # 空号/错号, or a number that is not the policyholder's
    outbound: bool = True  # False: the customer called in (a callback, not a dial)


@dataclass
class _PolicyFacts:
    """What the policy-cohort figures need to know of one policy."""

    receipt_date: date
    deadline: date
    group: str
    success_days: list[date] = field(default_factory=list)
    dials: list[_Dial] = field(default_factory=list)
    has_case: bool = False


def kpi_report(
    session: Session, request: KpiRequest, rules: DeadlineRules,
    rule: SharpChangeRule | None = None, targets: KpiTargets | None = None,
) -> KpiReport:  # fmt: skip
    """The figures of every period of the request, per group, marked where they jump or fall
    short of their target (不达标)."""
    rule = rule or SharpChangeRule()
    targets = targets or {}
    buckets = buckets_between(request.first, request.last, request.period)
    # One period more before the first, so the first period's change can be judged too.
    prior = bucket_at(previous_start(buckets[0].start, request.period), request.period)
    span = Bucket(prior.start, buckets[-1].end, "")
    zone = ZoneInfo(rules.timezone)

    def bucket_of(day: date) -> date:
        return period_start(day, request.period)

    tallies: _Tallies = defaultdict(lambda: defaultdict(_Tally))
    _count_policies(session, request.grouping, span, zone, bucket_of, tallies)
    _count_cases(session, request.grouping, span, rules, bucket_of, tallies)
    _count_calls(session, request.grouping, span, zone, bucket_of, tallies)
    shown = {bucket.start for bucket in buckets}
    groups = sorted({group for start, group in tallies if start in shown})
    if request.grouping is Grouping.OVERALL:
        groups = [OVERALL]
    rows = [
        KpiRow(bucket, group, _figures(tallies, bucket, previous, group, rule, targets))
        for previous, bucket in zip([prior, *buckets], buckets, strict=False)
        for group in groups
    ]
    return KpiReport(request, buckets, groups, rows, rule, targets=targets)


# -- the groups -------------------------------------------------------------------------

_GROUP_COLUMNS = (Policy.salesperson, Policy.team, Policy.branch, Policy.product_name,
                  Policy.family)  # fmt: skip


def _group(grouping: Grouping, row: Any) -> str:
    """The group a row falls in, from the policy's columns selected with _GROUP_COLUMNS."""
    if grouping is Grouping.OVERALL:
        return OVERALL
    if row.family is None:  # an inbound call from a number holding no policy
        return NO_POLICY
    if grouping is Grouping.PRODUCT:
        # Imports without a product name still name the family (分红型 …).
        return str(row.product_name or row.family.value)
    return str(getattr(row, grouping.value))


def _utc_bounds(span: Bucket, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC moments where the span's first local day starts and its last one ends."""
    start = datetime.combine(span.start, time(0), zone).astimezone(UTC)
    end = datetime.combine(span.end + timedelta(days=1), time(0), zone).astimezone(UTC)
    return start, end


# -- policies received in the span: success, cooling-off, first attempt, cases, invalid ---


def _count_policies(
    session: Session, grouping: Grouping, span: Bucket, zone: ZoneInfo,
    bucket_of: Callable[[date], date], tallies: _Tallies,
) -> None:  # fmt: skip
    facts = _policy_facts(session, grouping, span, zone)
    for policy in facts.values():
        figures = tallies[(bucket_of(policy.receipt_date), policy.group)]
        success = bool(policy.success_days)
        dials = sorted(policy.dials, key=lambda dial: dial.at)
        _add(figures[KpiKey.SUCCESS], success)
        in_time = success and min(policy.success_days) <= policy.deadline
        _add(figures[KpiKey.COOLING_OFF_SUCCESS], in_time)
        # Over every policy to be called back: one never dialled did not succeed at first.
        _add(figures[KpiKey.FIRST_ATTEMPT_SUCCESS], bool(dials) and dials[0].success)
        outbound = [dial for dial in dials if dial.outbound]
        if outbound:
            _add(figures[KpiKey.INVALID_NUMBER], any(dial.invalid for dial in outbound))
        if success or policy.has_case:
            _add(figures[KpiKey.PROBLEM_CASE], policy.has_case)


def _add(tally: _Tally, counted: bool) -> None:
    tally.denominator += 1
    tally.numerator += 1 if counted else 0


def _received_in(span: Bucket) -> ColumnElement[bool]:
    """Policies received in the span that must be called back (应回访: term over one year)."""
    return and_(Policy.receipt_date >= span.start, Policy.receipt_date <= span.end,
                in_callback_scope())  # fmt: skip


def _policy_facts(
    session: Session, grouping: Grouping, span: Bucket, zone: ZoneInfo
) -> dict[int, _PolicyFacts]:
    """Each policy received in the span with its successes, dials and whether it has a case."""
    query = select(Policy.id, Policy.receipt_date, Policy.cooling_off_deadline,
                   *_GROUP_COLUMNS).where(_received_in(span))  # fmt: skip
    facts = {
        row.id: _PolicyFacts(row.receipt_date, row.cooling_off_deadline, _group(grouping, row))
        for row in session.execute(query)
    }
    attempt_outcomes = _add_attempts(session, span, zone, facts)
    _add_calls(session, span, zone, facts, attempt_outcomes)
    _add_letters_and_visits(session, span, zone, facts)
    cases = (
        select(ProblemCase.policy_id).join(Policy, Policy.id == ProblemCase.policy_id)
        .where(_received_in(span)).distinct()
    )  # fmt: skip
    for policy_id in session.scalars(cases):
        facts[policy_id].has_case = True
    return facts


def _add_attempts(
    session: Session, span: Bucket, zone: ZoneInfo, facts: dict[int, _PolicyFacts]
) -> dict[int, AttemptOutcome | None]:
    """Add the dials only the campaign knows of; the outcome of each attempt by its call."""
    attempts = (
        select(CampaignAttempt.call_id, CampaignAttempt.started_at, CampaignAttempt.outcome,
               CampaignPolicy.policy_id)
        .join(CampaignPolicy, CampaignPolicy.id == CampaignAttempt.campaign_policy_id)
        .join(Policy, Policy.id == CampaignPolicy.policy_id)
        .where(CampaignAttempt.dialled.is_(True),
               CampaignAttempt.status == AttemptStatus.FINISHED, _received_in(span))
    )  # fmt: skip
    by_call: dict[int, AttemptOutcome | None] = {}
    for row in session.execute(attempts):
        if row.call_id is not None:
            by_call[row.call_id] = row.outcome  # the call itself is the dial
            continue
        # Dialled, but the call record never got written: the attempt is all we know.
        success = row.outcome in _ATTEMPT_SUCCESS
        policy = facts[row.policy_id]
        policy.dials.append(
            _Dial(row.started_at, success, row.outcome is AttemptOutcome.INVALID_NUMBER))
        if success:
            policy.success_days.append(_local_day(row.started_at, zone))
    return by_call


def _add_calls(
    session: Session, span: Bucket, zone: ZoneInfo, facts: dict[int, _PolicyFacts],
    attempt_outcomes: dict[int, AttemptOutcome | None],
) -> None:  # fmt: skip
    """Add each call's success and each call as a callback (outbound ones are dials)."""
    not_holder = exists().where(
        ItemAnswer.call_id == CallRecord.id,
        ItemAnswer.reason == ProblemReason.NOT_POLICYHOLDER.value)  # fmt: skip
    calls = list(session.execute(
        select(CallRecord.id, CallRecord.policy_id, CallRecord.direction, CallRecord.started_at,
               CallRecord.outcome, CallRecord.dialogue_outcome, CallRecord.agent_id,
               not_holder.label("not_holder"))
        .join(Policy, Policy.id == CallRecord.policy_id).where(_received_in(span))
    ))  # fmt: skip
    # Calls an agent talked through record no dialogue outcome; their items' marks tell.
    by_agent = agent_completed_calls(session, [
        call.id for call in calls
        if call.agent_id is not None and call.dialogue_outcome not in REACHED], zone)
    for call in calls:
        policy = facts[call.policy_id]
        success = call.dialogue_outcome in REACHED or call.id in by_agent
        if success:
            policy.success_days.append(_local_day(call.started_at, zone))
        outbound = call.direction is CallDirection.OUTBOUND
        # Someone other than the policyholder answered the number we dialled: not theirs.
        invalid = outbound and (
            call.outcome == CallOutcome.INVALID_NUMBER.value or bool(call.not_holder)
            or attempt_outcomes.get(call.id) is AttemptOutcome.INVALID_NUMBER)  # fmt: skip
        policy.dials.append(_Dial(call.started_at, success, invalid, outbound))


def _add_letters_and_visits(
    session: Session, span: Bucket, zone: ZoneInfo, facts: dict[int, _PolicyFacts]
) -> None:
    """A letter's reply slip or a visit that went through the items is a callback success."""
    query = (
        select(LetterVisit.policy_id, LetterVisit.closed_at)
        .join(Policy, Policy.id == LetterVisit.policy_id)
        .where(_received_in(span), LetterVisit.result.in_(_LETTER_SUCCESS),
               LetterVisit.closed_at.is_not(None))
    )  # fmt: skip
    for policy_id, closed_at in session.execute(query):
        if closed_at is not None:
            facts[policy_id].success_days.append(_local_day(closed_at, zone))


def _local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


# -- problem cases resolved in the span: working days, on time -------------------------


def _count_cases(
    session: Session, grouping: Grouping, span: Bucket, rules: DeadlineRules,
    bucket_of: Callable[[date], date], tallies: _Tallies,
) -> None:  # fmt: skip
    start, end = _utc_bounds(span, ZoneInfo(rules.timezone))
    query = (
        select(ProblemCase.opened_at, ProblemCase.closed_at, CaseHandling.deadline,
               *_GROUP_COLUMNS)
        .join(Policy, Policy.id == ProblemCase.policy_id)
        .outerjoin(CaseHandling, CaseHandling.problem_case_id == ProblemCase.id)
        .where(ProblemCase.status == CaseStatus.CLOSED, ProblemCase.closed_at.is_not(None),
               ProblemCase.closed_at >= start, ProblemCase.closed_at < end)
    )  # fmt: skip
    for row in session.execute(query):
        opened, closed = rules.local_date(row.opened_at), rules.local_date(row.closed_at)
        days = max(0, rules.calendar.working_days_until(opened, closed))
        deadline = row.deadline or rules.deadline_for(row.opened_at)
        figures = tallies[(bucket_of(closed), _group(grouping, row))]
        for key in (KpiKey.CASE_MEAN_DAYS, KpiKey.CASE_MEDIAN_DAYS):
            figures[key].numerator += days
            figures[key].denominator += 1
            figures[key].samples.append(days)
        _add(figures[KpiKey.CASE_ON_TIME], closed <= deadline)


# -- phone inquiries in the span: complaints and strong complaints ---------------------


def _count_calls(
    session: Session, grouping: Grouping, span: Bucket, zone: ZoneInfo,
    bucket_of: Callable[[date], date], tallies: _Tallies,
) -> None:  # fmt: skip
    """咨询投诉率: answered inbound calls and callbacks in which the customer raised something
    are the inquiries; those with a complaint or strong complaint recorded are counted."""
    start, end = _utc_bounds(span, zone)
    asked = exists().where(
        AnswerEvidence.item_answer_id == ItemAnswer.id, ItemAnswer.call_id == CallRecord.id,
        AnswerEvidence.answer_class.in_(_ASKING))  # fmt: skip
    complained = exists().where(Complaint.call_id == CallRecord.id)
    answered = or_(CallRecord.outcome.in_(_ANSWERED_OUTCOMES),
                   CallRecord.dialogue_outcome.is_not(None))  # fmt: skip
    inquiry = or_(CallRecord.direction == CallDirection.INBOUND, asked, complained)
    query = (
        select(CallRecord.started_at, complained.label("complained"), *_GROUP_COLUMNS)
        .outerjoin(Policy, Policy.id == CallRecord.policy_id)
        .where(CallRecord.started_at >= start, CallRecord.started_at < end, answered, inquiry)
    )  # fmt: skip
    for row in session.execute(query):
        figures = tallies[(bucket_of(_local_day(row.started_at, zone)), _group(grouping, row))]
        _add(figures[KpiKey.INQUIRY_COMPLAINT], bool(row.complained))


# -- figures and sharp changes ----------------------------------------------------------


def _value(key: KpiKey, tally: _Tally | None) -> float | None:
    if tally is None or tally.denominator == 0:
        return None
    if key is KpiKey.CASE_MEDIAN_DAYS:
        return float(statistics.median(tally.samples))
    ratio = tally.numerator / tally.denominator
    return ratio * 100 if BY_KEY[key].unit is KpiUnit.PERCENT else ratio


def _figures(
    tallies: _Tallies, bucket: Bucket, previous: Bucket, group: str, rule: SharpChangeRule,
    targets: KpiTargets,
) -> dict[KpiKey, Figure]:  # fmt: skip
    now, before = _tallies_of(tallies, bucket, group), _tallies_of(tallies, previous, group)
    return {
        key: _figure(key, now.get(key), before.get(key), rule, targets.get(key))
        for key in KpiKey
    }


def below_target(key: KpiKey, value: float | None, target: float | None) -> bool:
    """Whether a value misses its target: under it where higher is better, over it otherwise."""
    if value is None or target is None:
        return False
    return value < target if BY_KEY[key].higher_is_better else value > target


def _tallies_of(tallies: _Tallies, bucket: Bucket, group: str) -> dict[KpiKey, _Tally]:
    return dict(tallies.get((bucket.start, group), {}))


def _figure(
    key: KpiKey, now: _Tally | None, before: _Tally | None, rule: SharpChangeRule,
    target: float | None = None,
) -> Figure:  # fmt: skip
    value, previous = _value(key, now), _value(key, before)
    change = None if value is None or previous is None else value - previous
    enough = (now is not None and before is not None
              and min(now.denominator, before.denominator) >= rule.min_denominator)  # fmt: skip
    sharp = change is not None and enough and abs(change) >= rule.threshold(BY_KEY[key].unit)
    # The median's "numerator" is the median itself: a sum of days would mean nothing there.
    numerator = now.numerator if now else 0.0
    if key is KpiKey.CASE_MEDIAN_DAYS:
        numerator = value or 0.0
    return Figure(key, numerator, now.denominator if now else 0, value, previous, change, sharp,
                  target, below_target(key, value, target))  # fmt: skip
