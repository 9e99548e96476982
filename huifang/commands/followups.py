"""`huifang followups sweep [--at T]`: the clocks of complaints, policy-service requests and the
robot's promises: reminders before a complaint's clock runs out and escalations after it,
overdue marks on requests not accepted and promises not kept (once each, in the audit trail);
run it every hour."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from huifang.commands.common import EXIT_BAD_INPUT, Subparsers, report_error
from huifang.commands.database_option import EXIT_DATABASE, add_db_option, open_db
from huifang.settings import deadline_rules, get_settings
from storage.complaints import sweep_complaints
from storage.customer_promises import sweep_promises
from storage.policy_service import sweep_service
from storage.working_days import CalendarFileError


def register(sub: Subparsers) -> None:
    """Add the `followups` sub-command."""
    parser = sub.add_parser("followups", help="complaints, policy service, promises: clocks")
    actions = parser.add_subparsers(dest="followups_action", required=True, metavar="ACTION")
    sweep = actions.add_parser("sweep", help="remind, escalate and mark overdue; JSON lines")
    sweep.add_argument("--at", type=datetime.fromisoformat, default=None,
                       help="sweep as at this local time (YYYY-MM-DDTHH:MM); default: now")
    add_db_option(sweep)
    sweep.set_defaults(run=run_sweep)


def run_sweep(args: argparse.Namespace) -> int:
    """Sweep every clock; exit 2 when the holiday calendar cannot be read."""
    try:
        rules = deadline_rules(get_settings())
    except CalendarFileError as err:
        report_error("holiday calendar", str(err))
        return EXIT_BAD_INPUT
    now = datetime.now(UTC) if args.at is None else _aware(args.at, rules.timezone)
    db = open_db(args)
    if db is None:
        return EXIT_DATABASE
    try:
        with db.session() as session:
            complaints = sweep_complaints(session, rules, now)
            lines = [{"kind": "complaint", "id": i, "clock": c.value, "mark": "reminder"}
                     for i, c in complaints.reminded]
            lines += [{"kind": "complaint", "id": i, "clock": c.value, "mark": "escalated"}
                      for i, c in complaints.escalated]
            lines += [{"kind": "service_request", "id": i, "mark": "overdue"}
                      for i in sweep_service(session, rules, now)]
            lines += [{"kind": "promise", "id": i, "mark": "overdue"}
                      for i in sweep_promises(session, now)]  # fmt: skip
    finally:
        db.close()
    for line in lines:
        print(json.dumps(line, ensure_ascii=False))
    return 0


def _aware(moment: datetime, zone: str) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(zone))
