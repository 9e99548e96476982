"""`huifang feedback daily [--date D] --out DIR` (run every evening: one XLSX per branch with
that day's problem cases and complaints by seller, the files the sales side receives the same
day) and `huifang feedback failed [--from D --to D] --out FILE` (the failed callbacks for the
commission and quality systems, CSV or XLSX)."""

from __future__ import annotations

import argparse
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from huifang.commands.common import EXIT_BAD_INPUT, Subparsers, report_error
from huifang.commands.database_option import EXIT_DATABASE, add_db_option, open_db
from huifang.settings import deadline_rules, get_settings
from huifang.web.sales_feedback_views import daily_table, failed_table
from huifang.web.table_export import table_csv, table_xlsx
from storage.sales_feedback import SellerCase, daily_cases, failed_callbacks
from storage.working_days import CalendarFileError
from zhtext.private_files import private_dir, write_private


def register(sub: Subparsers) -> None:
    """Add the `feedback` sub-command."""
    parser = sub.add_parser("feedback", help="feedback to the sales side (销售反馈)")
    actions = parser.add_subparsers(dest="feedback_action", required=True, metavar="ACTION")
    daily = actions.add_parser("daily", help="the day's cases by seller, one XLSX per branch")
    daily.add_argument("--date", type=date.fromisoformat, default=None,
                       help="the local day (default: today)")
    daily.add_argument("--out", type=Path, required=True, help="the folder the files go to")
    add_db_option(daily)
    daily.set_defaults(run=run_daily)
    failed = actions.add_parser("failed", help="failed callbacks for commission and quality")
    failed.add_argument("--from", dest="date_from", type=date.fromisoformat, default=None,
                        help="first receipt day (default: 90 days back)")
    failed.add_argument("--to", dest="date_to", type=date.fromisoformat, default=None,
                        help="last receipt day (default: today)")
    failed.add_argument("--out", type=Path, required=True, help="a .csv or .xlsx file")
    add_db_option(failed)
    failed.set_defaults(run=run_failed)


def run_daily(args: argparse.Namespace) -> int:
    """Write the day's files; print one line per file."""
    try:
        rules = deadline_rules(get_settings())
    except CalendarFileError as err:
        report_error("holiday calendar", str(err))
        return EXIT_BAD_INPUT
    day = args.date or rules.local_date(datetime.now(UTC))
    db = open_db(args)
    if db is None:
        return EXIT_DATABASE
    try:
        with db.session() as session:
            by_branch: dict[str, list[SellerCase]] = defaultdict(list)
            for case in daily_cases(session, day, rules):
                by_branch[case.branch].append(case)
    finally:
        db.close()
    try:
        private_dir(args.out, narrow=False)
        for branch, cases in sorted(by_branch.items()):
            path = args.out / f"销售反馈-{branch}-{day.isoformat()}.xlsx"
            write_private(path, table_xlsx(daily_table(cases, day)))
            print(f"{path}: {len(cases)} cases")
    except OSError as err:
        report_error(str(args.out), f"cannot write: {err.strerror}")
        return EXIT_BAD_INPUT
    return 0


def run_failed(args: argparse.Namespace) -> int:
    """Write the failed callbacks; exit 2 for an unknown file type."""
    kind = args.out.suffix.lower()
    if kind not in (".csv", ".xlsx"):
        report_error("--out", f"{args.out}: a .csv or .xlsx file")
        return EXIT_BAD_INPUT
    today = datetime.now(UTC).date()
    first, last = args.date_from or today - timedelta(days=90), args.date_to or today
    db = open_db(args)
    if db is None:
        return EXIT_DATABASE
    try:
        with db.session() as session:
            table = failed_table(failed_callbacks(session, first, last, today))
    finally:
        db.close()
    try:
        write_private(args.out, table_csv(table) if kind == ".csv" else table_xlsx(table))
    except OSError as err:
        report_error(str(args.out), f"cannot write: {err.strerror}")
        return EXIT_BAD_INPUT
    print(f"{args.out}: {len(table.rows)} failed callbacks")
    return 0
