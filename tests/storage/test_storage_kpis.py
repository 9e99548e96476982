"""The callback KPIs against a hand-built history (kpi_testkit's docstring tells it policy by
policy): each figure's numerator and denominator counted by hand, grouping, day/week/month
buckets, working days across the National Day holiday, and the sharp-change mark."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from kpi_testkit import (
    RULES,
    ZHANG,
    add_attempt,
    add_call,
    add_policy,
    cst,
    seed_holiday_history,
    seed_success_days,
)
from storage_testkit import fresh_postgres_database, postgres_cluster, sqlite_db

from storage.campaign_models import AttemptOutcome
from storage.database import Database, open_database
from storage.kpi_definitions import DEFINITIONS, KpiKey
from storage.kpi_periods import Period, PeriodRangeError, buckets_between
from storage.kpis import (
    NO_POLICY,
    OVERALL,
    Figure,
    Grouping,
    KpiReport,
    KpiRequest,
    SharpChangeRule,
    kpi_report,
)

K = KpiKey


def _report(db: Database, period: Period, grouping: Grouping, first: date, last: date,
            rule: SharpChangeRule | None = None) -> KpiReport:  # fmt: skip
    with db.session() as session:
        return kpi_report(session, KpiRequest(period, grouping, first, last), RULES, rule)


def _counts(report: KpiReport, label: str, group: str, key: KpiKey) -> tuple[float, int]:
    """(numerator, denominator) of one figure."""
    figure = _figure(report, label, group, key)
    return figure.numerator, figure.denominator


def _figure(report: KpiReport, label: str, group: str, key: KpiKey) -> Figure:
    (row,) = [r for r in report.rows if r.bucket.label == label and r.group == group]
    return row.figures[key]


@pytest.fixture
def history(tmp_path: Path) -> Database:
    db = sqlite_db(tmp_path)
    seed_holiday_history(db)
    return db


def _assert_policy_figures_of_w40(report: KpiReport) -> None:
    def counts(key: KpiKey) -> tuple[float, int]:
        return _counts(report, "2026-W40", OVERALL, key)

    # 应回访 in W40: P1..P6 (P8's one-year term is out of scope, though it was called back).
    # Called back: P1 (inbound), P2, P3 (inbound), P6.
    assert counts(K.SUCCESS) == (4, 6)
    # P1's success came 10-14 00:30 Beijing time, a day after its 犹豫期 (10-13); P3's 10-20.
    assert counts(K.COOLING_OFF_SUCCESS) == (2, 6)
    # 首次回访成功率 ÷ 应回访: first callback a success for P2 and P6 only; P4, never dialled,
    # stays in the denominator (it was 5, the dialled ones, before: inflated).
    assert counts(K.FIRST_ATTEMPT_SUCCESS) == (2, 6)
    # Concluded: the successes P1 P2 P3 P6 and P5 (a case, identity failed); cases on P3, P5.
    assert counts(K.PROBLEM_CASE) == (2, 5)
    # Dialled: P1, P2, P3, P5 (attempt without a call, then a call), P6 (attempt and call, once).
    # Invalid: P3's 空号, and P5's number answered by someone who is not the policyholder.
    assert counts(K.INVALID_NUMBER) == (2, 5)


def test_policy_figures_of_a_week_count_each_policy_once(history: Database) -> None:
    report = _report(history, Period.WEEK, Grouping.OVERALL, date(2026, 9, 28),
                     date(2026, 10, 11))  # fmt: skip
    assert [b.label for b in report.buckets] == ["2026-W40", "2026-W41"]
    assert report.groups == [OVERALL]
    _assert_policy_figures_of_w40(report)
    success = _figure(report, "2026-W40", OVERALL, K.SUCCESS)
    assert success.value == pytest.approx(400 / 6)
    # W41 holds P7 alone: hung up first, then all confirmed on 10-06, inside its 犹豫期.
    w41 = {key: _counts(report, "2026-W41", OVERALL, key) for key in K}
    assert w41[K.SUCCESS] == (1, 1)
    assert w41[K.COOLING_OFF_SUCCESS] == (1, 1)
    assert w41[K.FIRST_ATTEMPT_SUCCESS] == (0, 1)
    assert w41[K.PROBLEM_CASE] == (0, 1)
    assert w41[K.INVALID_NUMBER] == (0, 1)
    # No case was resolved in those weeks: no figure rather than a zero.
    assert _figure(report, "2026-W41", OVERALL, K.CASE_MEAN_DAYS).value is None


def test_figures_per_salesperson(history: Database) -> None:
    report = _report(history, Period.WEEK, Grouping.SALESPERSON, date(2026, 9, 28),
                     date(2026, 10, 4))  # fmt: skip
    # Sorted by code point; the unknown caller's inquiry stands in a group of its own.
    assert report.groups == ["张三", NO_POLICY, "李四"]

    def counts(group: str, key: KpiKey) -> tuple[float, int]:
        return _counts(report, "2026-W40", group, key)

    # 张三: P1 P2 P6. 李四: P3 P4 P5.
    assert counts("张三", K.SUCCESS) == (3, 3)
    assert counts("张三", K.COOLING_OFF_SUCCESS) == (2, 3)
    assert counts("张三", K.FIRST_ATTEMPT_SUCCESS) == (2, 3)
    assert counts("张三", K.PROBLEM_CASE) == (0, 3)
    assert counts("张三", K.INVALID_NUMBER) == (0, 3)
    assert counts("李四", K.SUCCESS) == (1, 3)
    assert counts("李四", K.COOLING_OFF_SUCCESS) == (0, 3)
    assert counts("李四", K.FIRST_ATTEMPT_SUCCESS) == (0, 3)
    assert counts("李四", K.PROBLEM_CASE) == (2, 2)
    assert counts("李四", K.INVALID_NUMBER) == (2, 2)
    assert counts("张三", K.INQUIRY_COMPLAINT) == (1, 2)  # P2's question, P6's complaint
    assert counts(NO_POLICY, K.INQUIRY_COMPLAINT) == (0, 1)
    assert counts(NO_POLICY, K.SUCCESS) == (0, 0)


def test_figures_per_product_team_and_branch(history: Database) -> None:
    first, last = date(2026, 9, 28), date(2026, 10, 4)
    product = _report(history, Period.WEEK, Grouping.PRODUCT, first, last)
    # P6 has no product name: its family (分红) names it. P8's 安心意外险 (one year) is out.
    assert set(product.groups) == {"福满堂终身寿险", "康宁重疾", "分红", NO_POLICY}
    assert _counts(product, "2026-W40", "福满堂终身寿险", K.SUCCESS) == (2, 4)  # P1 P2 P4 P5
    assert _counts(product, "2026-W40", "康宁重疾", K.SUCCESS) == (1, 1)
    assert _counts(product, "2026-W40", "分红", K.SUCCESS) == (1, 1)
    team = _report(history, Period.WEEK, Grouping.TEAM, first, last)
    assert set(team.groups) == {"一组", "二组", NO_POLICY}
    assert _counts(team, "2026-W40", "二组", K.INVALID_NUMBER) == (2, 2)
    branch = _report(history, Period.WEEK, Grouping.BRANCH, first, last)
    assert set(branch.groups) == {"北京分公司", "上海分公司", NO_POLICY}
    assert _counts(branch, "2026-W40", "北京分公司", K.SUCCESS) == (3, 3)


def test_problem_case_handling_time_counts_working_days_across_the_holiday(
    history: Database,
) -> None:
    report = _report(history, Period.WEEK, Grouping.OVERALL, date(2026, 10, 19),
                     date(2026, 11, 1))  # fmt: skip
    assert [b.label for b in report.buckets] == ["2026-W43", "2026-W44"]
    # Resolved in W43 (10-19..10-25):
    #   C1 opened Tue 09-29, closed Thu 10-22: 09-30, 10-08, 10-09, Sat 10-10 (调休), 10-12..16,
    #      10-19..22 = 13 working days (17 if the holiday were ignored); deadline 10-26: on time
    #   C3 opened 10-09, closed 10-23: 10-10, 10-12..16, 10-19..23 = 11; on time
    #   C4 opened 10-20, closed 10-21: 1; on time
    # Resolved in W44: C2 opened 10-01 (a holiday), closed 10-28: 10-08, 09, 10, 10-12..16,
    #   10-19..23, 10-26..28 = 16; its deadline, the 15th working day, is 10-27: late.
    # C5 is still open: not counted.
    mean = _figure(report, "2026-W43", OVERALL, K.CASE_MEAN_DAYS)
    assert (mean.numerator, mean.denominator) == (13 + 11 + 1, 3)
    assert mean.value == pytest.approx(25 / 3)
    assert _figure(report, "2026-W43", OVERALL, K.CASE_MEDIAN_DAYS).value == 11
    assert _counts(report, "2026-W43", OVERALL, K.CASE_ON_TIME) == (3, 3)
    assert _figure(report, "2026-W44", OVERALL, K.CASE_MEAN_DAYS).value == 16
    assert _figure(report, "2026-W44", OVERALL, K.CASE_MEDIAN_DAYS).value == 16
    assert _counts(report, "2026-W44", OVERALL, K.CASE_ON_TIME) == (0, 1)
    by_seller = _report(history, Period.WEEK, Grouping.SALESPERSON, date(2026, 10, 19),
                        date(2026, 11, 1))  # fmt: skip
    assert by_seller.groups == ["李四"]  # both cased policies are 李四's


def test_inquiry_and_complaint_rate_buckets_calls_by_their_local_day(history: Database) -> None:
    report = _report(history, Period.WEEK, Grouping.OVERALL, date(2026, 9, 28),
                     date(2026, 10, 25))  # fmt: skip
    # W40 inquiries: P2's callback (a question), P6's (a complaint) and the unknown caller's
    # inbound call; P5's callback raised nothing, P8's neither; P1's and P3's first calls were
    # not answered. Complaints: P6's only (P2's question is no complaint).
    assert _counts(report, "2026-W40", OVERALL, K.INQUIRY_COMPLAINT) == (1, 3)
    # P7 hung up 10-05 01:30 Beijing time (10-04 in UTC) wanting to surrender (an inquiry, no
    # complaint): W41, with its 10-06 callback and the strong complaint heard there.
    assert _counts(report, "2026-W41", OVERALL, K.INQUIRY_COMPLAINT) == (1, 2)
    assert _counts(report, "2026-W42", OVERALL, K.INQUIRY_COMPLAINT) == (0, 1)  # P1 calls in
    assert _counts(report, "2026-W43", OVERALL, K.INQUIRY_COMPLAINT) == (0, 1)  # P3 calls in


def test_day_and_month_buckets(history: Database) -> None:
    months = _report(history, Period.MONTH, Grouping.OVERALL, date(2026, 9, 15),
                     date(2026, 10, 31))  # fmt: skip
    assert [b.label for b in months.buckets] == ["2026-09", "2026-10"]
    assert _counts(months, "2026-09", OVERALL, K.SUCCESS) == (3, 4)  # P1..P4
    assert _counts(months, "2026-10", OVERALL, K.SUCCESS) == (2, 3)  # P5 P6 P7
    # September: P2's question and the unknown caller. October: P6 (complaint), P7 twice
    # (surrender, strong complaint), P1 and P3 calling in.
    assert _counts(months, "2026-09", OVERALL, K.INQUIRY_COMPLAINT) == (0, 2)
    assert _counts(months, "2026-10", OVERALL, K.INQUIRY_COMPLAINT) == (2, 5)
    assert _counts(months, "2026-10", OVERALL, K.CASE_ON_TIME) == (3, 4)  # C1 C3 C4 of 4
    days = _report(history, Period.DAY, Grouping.OVERALL, date(2026, 9, 28), date(2026, 9, 29))
    assert [b.label for b in days.buckets] == ["2026-09-28", "2026-09-29"]
    assert _counts(days, "2026-09-28", OVERALL, K.SUCCESS) == (2, 2)  # P1 P2
    assert _counts(days, "2026-09-29", OVERALL, K.SUCCESS) == (1, 1)  # P3


def test_a_sharp_change_is_marked_only_with_enough_policies(tmp_path: Path) -> None:
    db = sqlite_db(tmp_path)
    # Ten policies a day; 9, 9, then 5 of them called back: 90 %, 90 %, 50 %.
    seed_success_days(db, date(2026, 3, 2), (9, 9, 5))
    first, last = date(2026, 3, 2), date(2026, 3, 4)
    rule = SharpChangeRule(percent_points=10, min_denominator=10)
    report = _report(db, Period.DAY, Grouping.OVERALL, first, last, rule)
    marks = [_figure(report, f"2026-03-0{d}", OVERALL, K.SUCCESS) for d in (2, 3, 4)]
    assert [f.value for f in marks] == [90, 90, 50]
    assert marks[0].previous is None  # nothing was received on 03-01
    assert [f.change for f in marks[1:]] == [0, -40]
    assert [f.sharp for f in marks] == [False, False, True]
    # 首次回访成功率 is over every 应回访 policy too, so it drops the same 40 points.
    assert _figure(report, "2026-03-04", OVERALL, K.FIRST_ATTEMPT_SUCCESS).sharp
    # Every dialled number was valid: 0 % on both days, no mark.
    assert not _figure(report, "2026-03-04", OVERALL, K.INVALID_NUMBER).sharp
    # Too few policies to judge (10 a day), or a smaller change than the threshold.
    few = _report(db, Period.DAY, Grouping.OVERALL, first, last,
                  SharpChangeRule(percent_points=10, min_denominator=11))  # fmt: skip
    assert not _figure(few, "2026-03-04", OVERALL, K.SUCCESS).sharp
    calm = _report(db, Period.DAY, Grouping.OVERALL, first, last,
                   SharpChangeRule(percent_points=41, min_denominator=10))  # fmt: skip
    assert not _figure(calm, "2026-03-04", OVERALL, K.SUCCESS).sharp


def test_every_figure_has_its_definition() -> None:
    assert [d.key for d in DEFINITIONS] == list(KpiKey)
    for definition in DEFINITIONS:
        assert definition.numerator and definition.denominator
        assert definition.counts and definition.bucketed_by


def test_a_reversed_or_endless_range_is_refused() -> None:
    with pytest.raises(PeriodRangeError, match="before it starts"):
        buckets_between(date(2026, 3, 2), date(2026, 3, 1), Period.DAY)
    with pytest.raises(PeriodRangeError, match="more than 400"):
        buckets_between(date(2000, 1, 1), date(2099, 12, 31), Period.DAY)
    assert len(buckets_between(date(2000, 1, 1), date(2033, 4, 30), Period.MONTH)) == 400


def test_postgresql_gives_the_same_figures(tmp_path: Path) -> None:
    with postgres_cluster() as admin_url:
        db = open_database(fresh_postgres_database(admin_url))
        try:
            seed_holiday_history(db)
            report = _report(db, Period.WEEK, Grouping.OVERALL, date(2026, 9, 28),
                             date(2026, 10, 25))  # fmt: skip
            _assert_policy_figures_of_w40(report)
            assert _counts(report, "2026-W41", OVERALL, K.INQUIRY_COMPLAINT) == (1, 2)
            mean = _figure(report, "2026-W43", OVERALL, K.CASE_MEAN_DAYS)
            assert (mean.numerator, mean.denominator) == (25, 3)
        finally:
            db.close()


def test_campaign_attempts_count_as_dials_once(tmp_path: Path) -> None:
    db = sqlite_db(tmp_path)
    with db.session() as session:
        # Q1: the campaign's only record of a successful first attempt (its call record lost).
        q1 = add_policy(session, "Q1", date(2026, 3, 2), ZHANG)
        add_attempt(session, q1, 1, cst(2026, 3, 3), AttemptOutcome.SUCCESS)
        # Q2: the call says only "failed"; the campaign resolved the attempt as 空号.
        q2 = add_policy(session, "Q2", date(2026, 3, 2), ZHANG)
        call = add_call(session, q2, cst(2026, 3, 3), "failed")
        add_attempt(session, q2, 1, cst(2026, 3, 3), AttemptOutcome.INVALID_NUMBER, call)
    report = _report(db, Period.WEEK, Grouping.OVERALL, date(2026, 3, 2), date(2026, 3, 8))
    assert _counts(report, "2026-W10", OVERALL, K.SUCCESS) == (1, 2)
    assert _counts(report, "2026-W10", OVERALL, K.FIRST_ATTEMPT_SUCCESS) == (1, 2)
    assert _counts(report, "2026-W10", OVERALL, K.INVALID_NUMBER) == (1, 2)
