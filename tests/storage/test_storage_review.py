"""The review workflow on SQLite and PostgreSQL: dispositions, handlers, working-day deadlines,
reminders, overdue marks, resolutions, and an audit trail nobody can edit."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session
from storage_testkit import (
    GOOD_CSV,
    fresh_postgres_database,
    postgres_cluster,
    run_dialogue,
    sqlite_db,
)

from agent_assist.events import Category, Flag, Leg, Severity
from storage.analysis import store_flags
from storage.analysis_models import CallFlag
from storage.audit import Actor
from storage.case_ledger import LedgerFilter, daily_summary, ledger_rows
from storage.database import Database, open_database
from storage.dispositions import confirm_flag, dismiss_flag
from storage.models import CallDirection, CaseStatus, ProblemCase, User, UserRole
from storage.policy_import import import_policy_file
from storage.policy_view import policy_record
from storage.problem_cases import (
    DeadlineRules,
    ReviewError,
    assign_case,
    case_clock,
    resolve_case,
    sweep_deadlines,
)
from storage.repository import Repository
from storage.review_models import AuditEntry, AuditTrailError, CaseClass, CaseHandling, Decision
from storage.working_days import CalendarFileError, WorkingCalendar, load_calendar

RULES = DeadlineRules(calendar=load_calendar())
# Friday before the 2024 National Day week (国庆, 10-01…10-07; 9-29 and 10-12 worked instead).
BEFORE_GOLDEN_WEEK = datetime(2024, 9, 27, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
RAISED = datetime(2024, 11, 10, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def pg_admin() -> Iterator[str]:
    with postgres_cluster() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated database with the good fixture policies, on each backend."""
    if request.param == "postgresql":
        database = open_database(fresh_postgres_database(request.getfixturevalue("pg_admin")))
    else:
        database = sqlite_db(tmp_path)
    import_policy_file(database, GOOD_CSV)
    yield database
    database.close()


@dataclass
class Seeded:
    """Ids of what _seed stored: users by name, one call and its two flags."""

    users: dict[str, int]
    call_id: int
    flag_ids: list[int]


def _flag(text_said: str, span: tuple[int, int], start: float) -> Flag:
    return Flag(
        rule_id="inducement.guaranteed_return", category=Category.INDUCEMENT,
        subcategory="保本保息", severity=Severity.HIGH, leg=Leg.CUSTOMER, text=text_said,
        start=start, end=start + 2.5, span=span, explanation="承诺保本保息属于诱导",
    )  # fmt: skip


def _seed(db: Database, started: datetime = BEFORE_GOLDEN_WEEK) -> Seeded:
    """Reviewer rita, supervisor sam, agent ann, and 李明 — who sold policy …0001 — as a
    reviewer; a call on policy …0001 with two flags."""
    with db.session() as session:
        users = {}
        for name, role in [("rita", UserRole.REVIEWER), ("sam", UserRole.SUPERVISOR),
                           ("ann", UserRole.AGENT), ("李明", UserRole.REVIEWER)]:  # fmt: skip
            user = User(username=name, password_hash="-", role=role, active=True,
                        created_at=started)  # fmt: skip
            session.add(user)
            session.flush()
            users[name] = user.id
        repo = Repository(session)
        policy = repo.policy("8644012024110001")
        call = repo.start_call(policy, CallDirection.OUTBOUND, "sip:x@pbx", started_at=started)
        flags = store_flags(session, call, [
            _flag("业务员说这个保本保息", (6, 10), 12.5),
            _flag("他说每年稳赚百分之五", (3, 5), 30.0),
        ], raised_at=started)  # fmt: skip
        return Seeded(users, call.id, [flag.id for flag in flags])


def _actor(session_user: User) -> Actor:
    return Actor(session_user.id, session_user.username)


def _user(session: Session, seeded: Seeded, name: str) -> User:
    user = session.get(User, seeded.users[name])
    assert user is not None
    return user


def _confirm(db: Database, seeded: Seeded, handler: str = "sam",
             now: datetime = BEFORE_GOLDEN_WEEK) -> int:  # fmt: skip
    with db.session() as session:
        flag = session.get(CallFlag, seeded.flag_ids[0])
        assert flag is not None
        _, case = confirm_flag(
            session, flag, classification=CaseClass.ORAL_INTENTIONAL,
            handler=_user(session, seeded, handler), note="客户明确复述承诺",
            actor=_actor(_user(session, seeded, "rita")), rules=RULES, now=now,
        )  # fmt: skip
        return case.id


def _audit(db: Database) -> list[tuple[str, str, int]]:
    """The review workflow's entries (user additions and policy imports left out)."""
    with db.session() as session:
        entries = session.scalars(select(AuditEntry).where(
            AuditEntry.entity.not_in(("user", "import"))).order_by(AuditEntry.id))  # fmt: skip
        return [(entry.action, entry.actor, entry.entity_id) for entry in entries]


# -- working days --------------------------------------------------------------------------


def test_the_deadline_skips_the_holiday_week_and_counts_the_make_up_days() -> None:
    opened = date(2024, 9, 27)
    # 9-29 (Sun) and 10-12 (Sat) are worked; 10-01…10-07 are not.
    assert RULES.calendar.add_working_days(opened, 15) == date(2024, 10, 23)
    assert WorkingCalendar().add_working_days(opened, 15) == date(2024, 10, 18)
    assert RULES.calendar.working_days_until(date(2024, 9, 30), date(2024, 10, 8)) == 1
    assert RULES.calendar.working_days_until(date(2024, 10, 24), date(2024, 10, 23)) == -1


def test_a_bad_calendar_line_names_file_and_line(tmp_path: Path) -> None:
    calendar = tmp_path / "holidays.tsv"
    calendar.write_text("# notice\n2025-01-01\t休\t元旦\n2025-13-01\t休\t?\n", encoding="utf-8")
    with pytest.raises(CalendarFileError, match=rf"{calendar}:3: '2025-13-01'"):
        load_calendar(calendar)
    calendar.write_text("2025-01-01\t假\t元旦\n", encoding="utf-8")
    with pytest.raises(CalendarFileError, match=r":1: kind '假'"):
        load_calendar(calendar)


# -- dispositions --------------------------------------------------------------------------


def test_confirming_a_flag_opens_an_assigned_case_due_in_15_working_days(db: Database) -> None:
    seeded = _seed(db)
    case_id = _confirm(db, seeded)
    with db.session() as session:
        case = session.get(ProblemCase, case_id)
        handling = session.get(CaseHandling, case_id)
        assert case is not None and handling is not None
        assert case.status is CaseStatus.OPEN and case.call_id == seeded.call_id
        assert case.kind == "inducement"
        assert handling.classification is CaseClass.ORAL_INTENTIONAL
        assert handling.handler_id == seeded.users["sam"]
        assert handling.deadline == date(2024, 10, 23)
    assert _audit(db) == [
        ("case.open", "rita", case_id), ("case.assign", "rita", case_id),
        ("flag.confirm", "rita", seeded.flag_ids[0]),
    ]  # fmt: skip


def test_a_flag_is_decided_once_and_a_dismissal_needs_a_reason(db: Database) -> None:
    seeded = _seed(db)
    _confirm(db, seeded)
    with db.session() as session:
        rita = _actor(_user(session, seeded, "rita"))
        first, second = (session.get(CallFlag, i) for i in seeded.flag_ids)
        assert first is not None and second is not None
        with pytest.raises(ReviewError) as again:
            dismiss_flag(session, first, reason="误报", actor=rita)
        assert again.value.code == "already_decided"
        with pytest.raises(ReviewError) as blank:
            dismiss_flag(session, second, reason="  ", actor=rita)
        assert blank.value.code == "reason_required"
        decided = dismiss_flag(session, second, reason="客户在转述广告，不是业务员所说", actor=rita)
        assert decided.decision is Decision.DISMISSED and decided.problem_case_id is None
    assert _audit(db)[-1] == ("flag.dismiss", "rita", seeded.flag_ids[1])


def test_the_seller_an_agent_or_an_inactive_user_cannot_handle_the_case(db: Database) -> None:
    seeded = _seed(db)
    for name, code in [("李明", "handler_is_seller"), ("ann", "bad_handler")]:
        with pytest.raises(ReviewError) as refused:
            _confirm(db, seeded, handler=name)
        assert refused.value.code == code
    with db.session() as session:
        # Nothing of the refused confirmations was kept: no case, no audit row.
        assert session.scalars(select(ProblemCase)).all() == []
    assert _audit(db) == []


def test_reassigning_keeps_the_deadline_and_is_audited(db: Database) -> None:
    seeded = _seed(db)
    case_id = _confirm(db, seeded)
    later = BEFORE_GOLDEN_WEEK + timedelta(days=5)
    with db.session() as session:
        case = session.get(ProblemCase, case_id)
        assert case is not None
        sam = _actor(_user(session, seeded, "sam"))
        assign_case(session, case, classification=CaseClass.ORAL_UNINTENTIONAL,
                    handler=_user(session, seeded, "rita"), actor=sam, rules=RULES,
                    now=later)  # fmt: skip
    with db.session() as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert entry is not None and entry.action == "case.assign" and entry.actor == "sam"
        assert entry.before is not None and entry.after is not None
        assert entry.before["classification"] == "口头误导-故意"
        assert entry.after["classification"] == "口头误导-无意"
        assert entry.before["deadline"] == entry.after["deadline"] == "2024-10-23"
        assert entry.after["handler_id"] == seeded.users["rita"]


# -- deadlines, reminders, overdue, resolution ---------------------------------------------


def test_the_sweep_reminds_before_the_deadline_and_marks_overdue_after_once(
    db: Database,
) -> None:
    seeded = _seed(db)
    case_id = _confirm(db, seeded)

    def sweep(day: date) -> tuple[list[int], list[int]]:
        moment = datetime(day.year, day.month, day.day, 1, 0, tzinfo=UTC)
        with db.session() as session:
            result = sweep_deadlines(session, RULES, now=moment)
        return result.reminded, result.overdue

    assert sweep(date(2024, 10, 8)) == ([], [])  # 11 working days left
    assert sweep(date(2024, 10, 18)) == ([case_id], [])  # 3 left: remind
    assert sweep(date(2024, 10, 21)) == ([], [])  # reminded already
    assert sweep(date(2024, 10, 23)) == ([], [])  # the deadline itself is still in time
    assert sweep(date(2024, 10, 24)) == ([], [case_id])
    assert sweep(date(2024, 10, 25)) == ([], [])
    with db.session() as session:
        rows = ledger_rows(session, LedgerFilter(overdue_only=True), RULES, date(2024, 10, 25))
        assert [row.case.id for row in rows] == [case_id]
        assert rows[0].clock.overdue and rows[0].clock.working_days_left == -2
        assert rows[0].case.overdue_at is not None
    system = [entry for entry in _audit(db) if entry[1] == "system"]
    assert system == [("case.remind", "system", case_id), ("case.overdue", "system", case_id)]


def test_an_unassigned_case_runs_on_the_clock_from_the_day_it_opened(db: Database) -> None:
    seeded = _seed(db)
    with db.session() as session:  # opened by the robot's script: nobody assigned yet
        policy = Repository(session).policy("8644012024110001")
        assert policy is not None
        case = ProblemCase(policy_id=policy.id, call_id=seeded.call_id, kind="identity",
                           reason="mismatch", status=CaseStatus.OPEN,
                           opened_at=BEFORE_GOLDEN_WEEK)
        session.add(case)
        session.flush()
        case_id = case.id

    def sweep(day: date) -> tuple[list[int], list[int]]:
        moment = datetime(day.year, day.month, day.day, 1, 0, tzinfo=UTC)
        with db.session() as session:
            result = sweep_deadlines(session, RULES, now=moment)
        return result.reminded, result.overdue

    assert sweep(date(2024, 10, 18)) == ([case_id], [])  # the same 15 working days
    assert sweep(date(2024, 10, 24)) == ([], [case_id])
    with db.session() as session:
        (row,) = ledger_rows(session, LedgerFilter(overdue_only=True), RULES, date(2024, 10, 24))
        assert row.case.id == case_id and row.handler is None and row.handling is None
        assert row.deadline == date(2024, 10, 23) and row.clock.overdue
        assert row.case.reminded_at is not None and row.case.overdue_at is not None
        # Opened a day later: not overdue yet on the 24th, so the overdue filter leaves it out.
        later = ProblemCase(policy_id=case.policy_id, call_id=seeded.call_id, kind="identity",
                            reason="mismatch", status=CaseStatus.OPEN,
                            opened_at=BEFORE_GOLDEN_WEEK + timedelta(days=4))
        session.add(later)
        session.flush()
        overdue = ledger_rows(session, LedgerFilter(overdue_only=True), RULES, date(2024, 10, 24))
        assert [r.case.id for r in overdue] == [case_id]
        (summary,) = daily_summary(session, date(2024, 10, 24), RULES)
        assert summary.counts["cases_overdue"] == 1
    system = [entry for entry in _audit(db) if entry[1] == "system"]
    assert system == [("case.remind", "system", case_id), ("case.overdue", "system", case_id)]


def test_a_case_is_overdue_the_day_after_its_deadline_even_a_weekend(db: Database) -> None:
    seeded = _seed(db)
    case_id = _confirm(db, seeded)  # due Wednesday 2024-10-23
    with db.session() as session:
        case, handling = session.get(ProblemCase, case_id), session.get(CaseHandling, case_id)
        assert case is not None and handling is not None
        handling.deadline = date(2024, 10, 25)  # a Friday
        friday = case_clock(case, handling, RULES, date(2024, 10, 25))
        saturday = case_clock(case, handling, RULES, date(2024, 10, 26))
    assert (friday.overdue, friday.reminder_due, friday.working_days_left) == (False, True, 0)
    assert (saturday.overdue, saturday.reminder_due, saturday.working_days_left) == (True, False, 0)


def test_only_the_handler_or_a_supervisor_resolves_and_the_case_closes(db: Database) -> None:
    seeded = _seed(db)
    case_id = _confirm(db, seeded, handler="sam")
    with db.session() as session:
        case = session.get(ProblemCase, case_id)
        assert case is not None
        rita = _actor(_user(session, seeded, "rita"))
        with pytest.raises(ReviewError) as not_theirs:
            resolve_case(session, case, resolution="已退保", actor=rita, may_resolve_others=False)
        assert not_theirs.value.code == "not_handler"
        sam = _actor(_user(session, seeded, "sam"))
        resolve_case(session, case, resolution="客户选择退保，已全额退费", actor=sam,
                     may_resolve_others=False)  # fmt: skip
        assert case.status is CaseStatus.CLOSED and case.closed_at is not None
        with pytest.raises(ReviewError) as closed:
            resolve_case(session, case, resolution="again", actor=sam, may_resolve_others=True)
        assert closed.value.code == "case_closed"
    with db.session() as session:
        rows = ledger_rows(session, LedgerFilter(status=CaseStatus.CLOSED), RULES,
                           date(2024, 12, 1))  # fmt: skip
        assert rows[0].resolver == "sam" and not rows[0].clock.overdue
        assert rows[0].evidence == "业务员说这个保本保息"
    resolved = _audit(db)[-1]
    assert resolved == ("case.resolve", "sam", case_id)


def test_the_daily_summary_counts_per_salesperson(db: Database) -> None:
    seeded = _seed(db)
    _confirm(db, seeded)
    with db.session() as session:
        flag = session.get(CallFlag, seeded.flag_ids[1])
        assert flag is not None
        dismiss_flag(session, flag, reason="误报", actor=_actor(_user(session, seeded, "rita")),
                     now=BEFORE_GOLDEN_WEEK)  # fmt: skip
        rows = daily_summary(session, date(2024, 9, 27), RULES)
        later = daily_summary(session, date(2024, 10, 24), RULES)
    assert [(r.branch, r.team, r.salesperson) for r in rows] == [("广东分公司", "天河一组", "李明")]
    assert dict(rows[0].counts) == {
        "flags_raised": 2, "flags_confirmed": 1, "flags_dismissed": 1,
        "cases_opened": 1, "cases_open": 1,
    }  # fmt: skip
    assert dict(later[0].counts) == {"cases_open": 1, "cases_overdue": 1}


# -- the audit trail -----------------------------------------------------------------------


def test_the_orm_refuses_to_change_or_remove_an_audit_entry(db: Database) -> None:
    seeded = _seed(db)
    _confirm(db, seeded)
    with pytest.raises(AuditTrailError), db.session() as session:
        entry = session.scalars(select(AuditEntry)).first()
        assert entry is not None
        entry.actor = "someone else"
    with pytest.raises(AuditTrailError), db.session() as session:
        entry = session.scalars(select(AuditEntry)).first()
        session.delete(entry)
    assert len(_audit(db)) == 3


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_entries SET actor = 'x'", "DELETE FROM audit_entries"],
)
def test_the_database_refuses_to_change_or_remove_an_audit_entry(
    db: Database, statement: str
) -> None:
    seeded = _seed(db)
    _confirm(db, seeded)
    with pytest.raises(DatabaseError, match="append-only"), db.engine.begin() as connection:
        connection.execute(text(statement))
    assert [entry[1] for entry in _audit(db)] == ["rita"] * 3


def test_a_case_the_callback_dialogue_opens_is_in_the_audit_trail(db: Database) -> None:
    answers = ["是我", "一九六五年三月八号", "是我自己签的", "看过了，都明白", "清楚",
               "不清楚", "还是不清楚", "清楚", "晓得，交十年嘛", "知道红利不保证"]  # fmt: skip
    with db.session() as session:
        repo = Repository(session)
        policy = repo.policy("8644012024110001")
        assert policy is not None
        call = repo.start_call(policy, CallDirection.OUTBOUND, "sip:x@pbx", started_at=RAISED)
        repo.record_dialogue(call, run_dialogue(policy_record(policy), answers), now=RAISED)
        case_ids = [case.id for case in repo.problem_cases(policy)]
    assert case_ids
    assert _audit(db) == [("case.open", "system", case_id) for case_id in case_ids]
