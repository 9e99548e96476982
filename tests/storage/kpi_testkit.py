"""A small hand-built callback history for the KPI tests, around the 2026 National Day holiday
(10-01..10-07 off, Saturday 10-10 worked): policies, calls with their outcomes and dialogue
outcomes, answers heard, campaign attempts and problem cases opened and resolved.

Times are written in Beijing time (CST) and stored in UTC, as the services store them.

Week 2026-W40 (Mon 09-28 .. Sun 10-04), policies by receipt date:
  P1 张三 09-28: no answer 09-29; customer calls in 10-14 00:30 CST, all confirmed
     (after the 犹豫期 ending 10-13, though the UTC date is still 10-13)
  P2 张三 09-28: first dial all confirmed 09-29; the customer asked a question (not a complaint)
  P3 李四 09-29: first dial an invalid number; customer calls in 10-20, completed with problems;
     problem cases C1 (opened 09-29, assigned, closed 10-22) and C3 (opened 10-09, closed 10-23)
  P4 李四 09-30: never dialled
  P5 李四 10-01: campaign attempt 1 unanswered without a call record; attempt 2 a call where
     someone else answered: not the policyholder's number (identity failed); problem cases
     C2 (opened 10-01, assigned, closed 10-28: late) and C4 (opened 10-20, closed 10-21) and
     C5 (still open)
  P6 张三 10-02 (no product name: 分红): campaign attempt 1 with its call, all confirmed 10-03,
     the customer complaining (投诉) on it
  P8 张三 09-29: a one-year accident policy (1年), called back 09-30: not 应回访, never counted
Week 2026-W41:
  P7 张三 10-05: hung up 10-05 01:30 CST (UTC 10-04) wanting to surrender (a request, not a
     complaint); all confirmed 10-06 with a strong complaint (强烈抱怨)
And an inbound call 09-30 from an unknown number (no policy) that asked a question: an inquiry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from scripts_zh.policy import ProductFamily
from storage.campaign_models import (
    AttemptOutcome,
    AttemptStatus,
    CampaignAttempt,
    CampaignPolicy,
    CampaignState,
)
from storage.database import Database
from storage.models import (
    AnswerEvidence,
    CallDirection,
    CallRecord,
    CaseStatus,
    Gender,
    ItemAnswer,
    Policy,
    ProblemCase,
    User,
    UserRole,
    Verdict,
)
from storage.problem_cases import DeadlineRules
from storage.review_models import CaseClass, CaseHandling
from storage.service_models import (
    Complaint,
    ComplaintChannel,
    ComplaintKind,
    ComplaintStage,
)
from storage.working_days import load_calendar

CST = ZoneInfo("Asia/Shanghai")
RULES = DeadlineRules(calendar=load_calendar(), deadline_working_days=15, timezone="Asia/Shanghai")


def cst(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A Beijing-time moment, as the UTC datetime the database keeps."""
    return datetime(year, month, day, hour, minute, tzinfo=CST).astimezone(UTC)


@dataclass(frozen=True)
class Seller:
    """Who sold a policy and where."""

    salesperson: str
    team: str
    branch: str


ZHANG = Seller("张三", "一组", "北京分公司")
LI = Seller("李四", "二组", "上海分公司")


def add_policy(session: Session, number: str, receipt: date, seller: Seller,
               product: str = "福满堂终身寿险", family: ProductFamily = ProductFamily.TRADITIONAL,
               term: tuple[str, int | None] = ("终身", None)) -> Policy:  # fmt: skip
    """A policy with a 15-day 犹豫期 from its receipt (whole-life unless a term is given)."""
    now = datetime(2026, 9, 1, tzinfo=UTC)
    policy = Policy(
        policy_no=number, family=family, product_name=product, holder_name="王芳",
        holder_gender=Gender.FEMALE, holder_birth_date=date(1970, 5, 1), holder_id_last4="1234",
        phone="13800001234", premium_yuan=10_000, payment_years=10, payment_frequency="年交",
        sign_date=receipt - timedelta(days=2), receipt_date=receipt, cooling_off_days=15,
        cooling_off_deadline=receipt + timedelta(days=15), salesperson=seller.salesperson,
        team=seller.team, outlet="营业部", branch=seller.branch, imported_at=now, updated_at=now,
        coverage_term=term[0], coverage_months=term[1],
    )  # fmt: skip
    session.add(policy)
    session.flush()
    return policy


def add_call(session: Session, policy: Policy | None, at: datetime, outcome: str,
             dialogue: str | None = None, *, inbound: bool = False) -> CallRecord:  # fmt: skip
    """A finished call on the policy."""
    call = CallRecord(
        policy=policy, direction=CallDirection.INBOUND if inbound else CallDirection.OUTBOUND,
        sip_uri="sip:13800001234@pbx", started_at=at, ended_at=at + timedelta(minutes=3),
        outcome=outcome, dialogue_outcome=dialogue,
    )  # fmt: skip
    session.add(call)
    session.flush()
    return call


def add_answer(session: Session, call: CallRecord, answer_class: str,
               reason: str | None = None) -> None:  # fmt: skip
    """One script step answered on the call, heard as answer_class."""
    verdict = Verdict.PROBLEM if reason else Verdict.CONFIRMED
    answer = ItemAnswer(call_id=call.id, step_id=f"item{len(call.answers) + 1}", item=1,
                        verdict=verdict, reason=reason)  # fmt: skip
    answer.evidence.append(AnswerEvidence(seq=0, text="……", start_ms=0, end_ms=900,
                                          source="speech", answer_class=answer_class))
    call.answers.append(answer)
    session.flush()


def add_complaint(session: Session, call: CallRecord,
                  kind: ComplaintKind = ComplaintKind.COMPLAINT) -> Complaint:  # fmt: skip
    """A complaint heard on the call, as the dialogue's hook records it."""
    complaint = Complaint(
        policy_id=call.policy_id, call_id=call.id, channel=ComplaintChannel.CALLBACK, kind=kind,
        summary="业务员骗我", stage=ComplaintStage.RECEIVED, received_at=call.started_at,
        acknowledge_due=call.started_at + timedelta(hours=24),
        respond_due=call.started_at + timedelta(hours=48), handle_due=date(2026, 12, 31),
        outcome="", reminded="", escalated="", updated_at=call.started_at,
    )  # fmt: skip
    session.add(complaint)
    session.flush()
    return complaint


def add_attempt(session: Session, policy: Policy, seq: int, at: datetime,
                outcome: AttemptOutcome, call: CallRecord | None = None) -> None:  # fmt: skip
    """A finished campaign attempt at the policy (enrolling it first)."""
    entry = session.query(CampaignPolicy).filter_by(policy_id=policy.id).one_or_none()
    if entry is None:
        entry = CampaignPolicy(policy_id=policy.id, state=CampaignState.DONE, enrolled_at=at)
        session.add(entry)
        session.flush()
    session.add(CampaignAttempt(
        campaign_policy_id=entry.id, seq=seq, phone=policy.phone, sip_uri="sip:x@pbx",
        status=AttemptStatus.FINISHED, worker="test:1:a", lease_until=at, started_at=at,
        ended_at=at + timedelta(minutes=1), dialled=True, outcome=outcome,
        call_id=call.id if call else None,
    ))  # fmt: skip
    session.flush()


def add_case(session: Session, policy: Policy, opened: datetime, closed: datetime | None,
             handler: User | None = None) -> ProblemCase:  # fmt: skip
    """A problem case, resolved at `closed` if given; assigned to handler (with the deadline)."""
    case = ProblemCase(policy_id=policy.id, kind="concealment", reason="denied",
                       status=CaseStatus.CLOSED if closed else CaseStatus.OPEN,
                       opened_at=opened, closed_at=closed)  # fmt: skip
    session.add(case)
    session.flush()
    if handler is not None:
        session.add(CaseHandling(
            problem_case_id=case.id, classification=CaseClass.ORAL_UNINTENTIONAL,
            handler_id=handler.id, assigned_by=handler.id, assigned_at=opened,
            deadline=RULES.deadline_for(opened), resolved_at=closed,
            resolution="已向客户解释" if closed else None,
            resolved_by=handler.id if closed else None,
        ))  # fmt: skip
        session.flush()
    return case


def seed_holiday_history(db: Database) -> None:
    """The history the module docstring describes."""
    with db.session() as session:
        handler = User(username="hq", password_hash="x", role=UserRole.REVIEWER,
                       created_at=cst(2026, 9, 1))  # fmt: skip
        session.add(handler)
        session.flush()
        p1 = add_policy(session, "P1", date(2026, 9, 28), ZHANG)
        add_call(session, p1, cst(2026, 9, 29), "no_answer")
        add_call(session, p1, cst(2026, 10, 14, 0, 30), "completed", "all_confirmed", inbound=True)

        p2 = add_policy(session, "P2", date(2026, 9, 28), ZHANG)
        call = add_call(session, p2, cst(2026, 9, 29, 11), "completed", "all_confirmed")
        add_answer(session, call, "question")
        add_answer(session, call, "affirmative")

        p3 = add_policy(session, "P3", date(2026, 9, 29), LI, product="康宁重疾",
                        family=ProductFamily.HEALTH)  # fmt: skip
        add_call(session, p3, cst(2026, 9, 29, 15), "invalid_number")
        add_call(session, p3, cst(2026, 10, 20), "completed", "completed_with_problems",
                 inbound=True)  # fmt: skip
        add_case(session, p3, cst(2026, 9, 29, 10), cst(2026, 10, 22, 16), handler)  # C1
        add_case(session, p3, cst(2026, 10, 9), cst(2026, 10, 23))  # C3

        add_policy(session, "P4", date(2026, 9, 30), LI)

        p5 = add_policy(session, "P5", date(2026, 10, 1), LI)
        add_attempt(session, p5, 1, cst(2026, 10, 2), AttemptOutcome.NO_ANSWER)
        call = add_call(session, p5, cst(2026, 10, 3), "completed", "identity_failed")
        add_attempt(session, p5, 2, cst(2026, 10, 3), AttemptOutcome.PROBLEM_CASE, call)
        add_answer(session, call, "negative", reason="not_policyholder")
        add_case(session, p5, cst(2026, 10, 1, 9), cst(2026, 10, 28), handler)  # C2
        add_case(session, p5, cst(2026, 10, 20), cst(2026, 10, 21))  # C4
        add_case(session, p5, cst(2026, 10, 21), None)  # C5, still open

        p6 = add_policy(session, "P6", date(2026, 10, 2), ZHANG, product="",
                        family=ProductFamily.PARTICIPATING)  # fmt: skip
        call = add_call(session, p6, cst(2026, 10, 3, 9), "completed", "all_confirmed")
        add_attempt(session, p6, 1, cst(2026, 10, 3, 9), AttemptOutcome.SUCCESS, call)
        add_answer(session, call, "affirmative")
        add_complaint(session, call)

        p8 = add_policy(session, "P8", date(2026, 9, 29), ZHANG, product="安心意外险",
                        term=("1年", 12))  # fmt: skip
        add_call(session, p8, cst(2026, 9, 30), "completed", "all_confirmed")

        p7 = add_policy(session, "P7", date(2026, 10, 5), ZHANG)
        call = add_call(session, p7, cst(2026, 10, 5, 1, 30), "peer_hung_up")
        add_answer(session, call, "surrender_or_complaint", reason="surrender_or_complaint")
        call = add_call(session, p7, cst(2026, 10, 6), "completed", "all_confirmed")
        add_complaint(session, call, ComplaintKind.STRONG)

        stranger = add_call(session, None, cst(2026, 9, 30), "completed", inbound=True)
        add_answer(session, stranger, "question")


def seed_success_days(db: Database, first: date, successes: tuple[int, ...],
                      per_day: int = 10) -> None:  # fmt: skip
    """per_day policies received each day from `first`, of which successes[n] were called back
    successfully on the day after receipt (the rest never dialled)."""
    with db.session() as session:
        for offset, good in enumerate(successes):
            day = first + timedelta(days=offset)
            for n in range(per_day):
                policy = add_policy(session, f"S{offset:02d}{n:03d}", day, ZHANG)
                if n < good:
                    next_day = day + timedelta(days=1)
                    add_call(session, policy, cst(next_day.year, next_day.month, next_day.day),
                             "completed", "all_confirmed")  # fmt: skip
