"""`huifang cases sweep [--date D]`: mark the problem cases (问题件) whose deadline is near
(a reminder) or past (overdue), once each, in the audit trail; run it daily."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from huifang.commands.common import EXIT_BAD_INPUT, Subparsers, report_error
from huifang.commands.database_option import EXIT_DATABASE, add_db_option, open_db
from huifang.settings import deadline_rules, get_settings
from storage.models import ProblemCase
from storage.problem_cases import DeadlineRules, case_deadline, sweep_deadlines
from storage.review_models import CaseHandling
from storage.working_days import CalendarFileError


def register(sub: Subparsers) -> None:
    """Add the `cases` sub-command and its actions."""
    parser = sub.add_parser("cases", help="problem cases (问题件): deadline reminders")
    actions = parser.add_subparsers(dest="cases_action", required=True, metavar="ACTION")
    sweep = actions.add_parser(
        "sweep", help="mark reminders due and cases overdue (once each); one JSON line per mark"
    )
    sweep.add_argument(
        "--date", type=date.fromisoformat, default=None,
        help="sweep as on this day (YYYY-MM-DD, local); default: now",
    )  # fmt: skip
    add_db_option(sweep)
    sweep.set_defaults(run=run_sweep)


def run_sweep(args: argparse.Namespace) -> int:
    """Sweep the open cases; exit 2 when the holiday calendar cannot be read."""
    settings = get_settings()
    try:
        rules = deadline_rules(settings)
    except CalendarFileError as err:
        report_error("holiday calendar", str(err))
        return EXIT_BAD_INPUT
    db = open_db(args)
    if db is None:
        return EXIT_DATABASE
    try:
        with db.session() as session:
            result = sweep_deadlines(session, rules, now=_moment(args.date, rules))
            marks = [("reminder", i) for i in result.reminded]
            marks += [("overdue", i) for i in result.overdue]
            for mark, case_id in marks:
                case = session.get(ProblemCase, case_id)
                assert case is not None
                handling = session.get(CaseHandling, case_id)
                deadline = case_deadline(case, handling, rules)
                print(json.dumps({"case_id": case_id, "mark": mark,
                                  "handler": handling.handler.username if handling else None,
                                  "deadline": deadline.isoformat()},
                                 ensure_ascii=False))  # fmt: skip
    finally:
        db.close()
    return 0


def _moment(day: date | None, rules: DeadlineRules) -> datetime:
    """Now, or midday of the given local day."""
    if day is None:
        return datetime.now(UTC)
    return datetime.combine(day, time(12), ZoneInfo(rules.timezone)).astimezone(UTC)
