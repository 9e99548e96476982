"""回访成功 for live calls an agent talks through: the items the agent marked on the screen
(and the robot's verdicts before a 转人工) decide, as the dialogue outcome does for the robot."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from kpi_testkit import RULES, ZHANG, add_call, add_policy, cst
from sqlalchemy.orm import Session
from storage_testkit import sqlite_db

from scripts_zh.script_loader import script_for
from scripts_zh.script_schema import ProblemKind, ScriptStep, step_applies
from storage.agent_actions import mark_item
from storage.audit import Actor
from storage.database import Database
from storage.kpi_definitions import BY_KEY, KpiKey
from storage.kpi_periods import Period
from storage.kpis import OVERALL, Grouping, KpiRequest, kpi_report
from storage.models import CallRecord, ItemAnswer, Policy, User, UserRole, Verdict
from storage.policy_view import policy_record

K = KpiKey
RECEIVED = date(2026, 3, 2)  # a Monday: ISO week 2026-W10


def _steps(policy: Policy) -> list[ScriptStep]:
    """The policy's script items as the agent screen lists them."""
    record = policy_record(policy)
    return [step for step in script_for(record).steps if step_applies(step, record)]


def _agent(session: Session) -> Actor:
    user = User(username="ann", password_hash="x", role=UserRole.AGENT, created_at=cst(2026, 3, 1))
    session.add(user)
    session.flush()
    return Actor(user.id, user.username)


def _agent_call(session: Session, policy: Policy, agent: Actor) -> CallRecord:
    """A bridged live call the agent owns: ended, no dialogue outcome (no robot talked)."""
    call = add_call(session, policy, cst(2026, 3, 3), "completed")
    call.agent_id = agent.user_id
    session.flush()
    return call


def _counts(db: Database, key: KpiKey) -> tuple[float, int]:
    with db.session() as session:
        report = kpi_report(session, KpiRequest(Period.WEEK, Grouping.OVERALL, RECEIVED,
                                                RECEIVED), RULES)  # fmt: skip
    (row,) = [r for r in report.rows if r.bucket.label == "2026-W10" and r.group == OVERALL]
    return row.figures[key].numerator, row.figures[key].denominator


def test_a_call_the_agent_took_through_every_item_is_a_successful_callback(
    tmp_path: Path,
) -> None:
    db = sqlite_db(tmp_path)
    with db.session() as session:
        agent = _agent(session)
        # A1: every item confirmed by the agent, one non-identity item a problem: completed,
        # as a robot's completed_with_problems is.
        a1 = add_policy(session, "A1", RECEIVED, ZHANG)
        call = _agent_call(session, a1, agent)
        steps = _steps(a1)
        problem = next(s for s in steps if s.problem_kind is not ProblemKind.IDENTITY)
        for step in steps:
            state = "problem" if step is problem else "confirmed"
            mark_item(session, call, agent, step.id, state)
        # A2: the last item never marked (the customer hung up first): not completed.
        a2 = add_policy(session, "A2", RECEIVED, ZHANG)
        call = _agent_call(session, a2, agent)
        for step in _steps(a2)[:-1]:
            mark_item(session, call, agent, step.id, "confirmed")
        # A3: everything confirmed, then one item marked back to "asked": its last mark counts.
        a3 = add_policy(session, "A3", RECEIVED, ZHANG)
        call = _agent_call(session, a3, agent)
        for step in _steps(a3):
            mark_item(session, call, agent, step.id, "confirmed")
        mark_item(session, call, agent, _steps(a3)[-1].id, "asked")
    assert _counts(db, K.SUCCESS) == (1, 3)
    assert _counts(db, K.FIRST_ATTEMPT_SUCCESS) == (1, 3)
    assert _counts(db, K.COOLING_OFF_SUCCESS) == (1, 3)


def test_an_identity_problem_is_no_success_even_with_every_item_marked(tmp_path: Path) -> None:
    db = sqlite_db(tmp_path)
    with db.session() as session:
        agent = _agent(session)
        policy = add_policy(session, "B1", RECEIVED, ZHANG)
        call = _agent_call(session, policy, agent)
        steps = _steps(policy)
        identity = next(s for s in steps if s.problem_kind is ProblemKind.IDENTITY)
        for step in steps:
            mark_item(session, call, agent, step.id, "problem" if step is identity else "confirmed")
    assert _counts(db, K.SUCCESS) == (0, 1)


def test_a_handed_over_call_counts_the_robots_verdicts_and_the_agents_marks(
    tmp_path: Path,
) -> None:
    db = sqlite_db(tmp_path)
    with db.session() as session:
        agent = _agent(session)
        policy = add_policy(session, "C1", RECEIVED, ZHANG)
        # The robot confirmed the first items, then the customer asked for a person (转人工).
        call = add_call(session, policy, cst(2026, 3, 3), "transferred", "transferred")
        call.agent_id = agent.user_id
        steps = _steps(policy)
        half = len(steps) // 2
        for step in steps[:half]:
            session.add(ItemAnswer(call_id=call.id, step_id=step.id, item=step.item,
                                   verdict=Verdict.CONFIRMED))  # fmt: skip
        session.flush()
        for step in steps[half:]:
            mark_item(session, call, agent, step.id, "confirmed")
        # The same call without the agent's marks stays unfinished: a policy beside it.
        other = add_policy(session, "C2", RECEIVED, ZHANG)
        unfinished = add_call(session, other, cst(2026, 3, 3), "transferred", "transferred")
        unfinished.agent_id = agent.user_id
        for step in _steps(other)[:half]:
            session.add(ItemAnswer(call_id=unfinished.id, step_id=step.id, item=step.item,
                                   verdict=Verdict.CONFIRMED))  # fmt: skip
        mark_item(session, unfinished, agent, _steps(other)[half].id, "confirmed")
    assert _counts(db, K.SUCCESS) == (1, 2)


def test_the_definition_says_agent_handled_calls_count() -> None:
    assert "坐席" in BY_KEY[K.SUCCESS].counts
