"""`huifang campaign import|run|status|dnc`: the automated pre-callback campaign (预回访外呼)."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from huifang.campaign.ledger import enrol_file
from huifang.commands import campaign_run
from huifang.commands.common import EXIT_BAD_INPUT, Subparsers, report_error
from huifang.commands.database_option import EXIT_DATABASE, add_db_option, open_db
from huifang.commands.operator import actor_for, add_by_option
from storage.campaigns import CampaignStore, policy_line
from storage.policy_file import PolicyFileError
from storage.policy_import import describe_row
from zhtext.phones import mask_phone, normalise_phone

AT_RISK_DAYS = 3  # `status` lists unreached policies whose 犹豫期 ends within this many days


def register(sub: Subparsers) -> None:
    """Add the `campaign` sub-command and its actions."""
    parser = sub.add_parser("campaign", help="automated pre-callback campaign (预回访外呼)")
    actions = parser.add_subparsers(dest="campaign_action", required=True, metavar="ACTION")
    importing = actions.add_parser(
        "import", help="import policies (.csv/.xlsx, as `policies import`) and enrol them")
    importing.add_argument("file", type=Path, help="CSV (UTF-8 or GB18030) or XLSX file")
    add_by_option(importing)
    add_db_option(importing)
    importing.set_defaults(run=run_import)
    status = actions.add_parser("status", help="counts per outcome and deadlines at risk")
    status.add_argument("--json", action="store_true", help="one JSON object instead of text")
    status.add_argument("--days", type=int, default=AT_RISK_DAYS,
                        help=f"deadline horizon of 'at risk' (default {AT_RISK_DAYS})")
    add_db_option(status)
    status.set_defaults(run=run_status)
    _register_dnc(actions)
    campaign_run.register(actions)


def _register_dnc(actions: Subparsers) -> None:
    dnc = actions.add_parser("dnc", help="the do-not-call list")
    dnc_actions = dnc.add_subparsers(dest="dnc_action", required=True, metavar="ACTION")
    add = dnc_actions.add_parser("add", help="never dial this number")
    add.add_argument("phone")
    add.add_argument("--reason", default="", help="why (e.g. 客户要求不再来电)")
    add_db_option(add)
    add.set_defaults(run=run_dnc_add)
    remove = dnc_actions.add_parser("remove", help="dial this number again")
    remove.add_argument("phone")
    add_db_option(remove)
    remove.set_defaults(run=run_dnc_remove)
    listing = dnc_actions.add_parser("list", help="print the list (numbers masked)")
    listing.add_argument("--unmasked", action="store_true", help="show whole numbers")
    add_db_option(listing)
    listing.set_defaults(run=run_dnc_list)


def run_import(args: argparse.Namespace) -> int:
    """Import and enrol; one stderr line per bad row; exit 2 if any row was bad."""
    path: Path = args.file
    db = open_db(args)
    if db is None:
        return EXIT_DATABASE
    try:
        actor = actor_for(db, args.by)
        report, enrolment = enrol_file(db, path, datetime.now(UTC),
                                       source=f"预回访导入 {path.name}", actor=actor)
    except PolicyFileError as err:
        report_error(str(path), str(err))
        return EXIT_BAD_INPUT
    except ValueError as err:  # an unknown --by
        report_error("--by", str(err))
        return EXIT_BAD_INPUT
    finally:
        db.close()
    for problems in report.problems:
        report_error(str(path), describe_row(problems))
    print(f"{path}: imported {report.imported}, updated {report.updated}, "
          f"unchanged {report.unchanged}, rejected {report.rejected}; "
          f"enrolled {enrolment.enrolled}, already enrolled {enrolment.already}")
    return EXIT_BAD_INPUT if report.rejected or report.problems else 0


def run_status(args: argparse.Namespace) -> int:
    """Print counts per state and outcome, the deadlines at risk and the letter-or-visit list."""
    db = open_db(args)
    if db is None:
        return EXIT_DATABASE
    try:
        with db.session() as session:
            store = CampaignStore(session)
            counts = store.counts()
            until = datetime.now(UTC).date() + timedelta(days=args.days)
            at_risk = [policy_line(entry) for entry in store.at_risk(until)]
            letters = [policy_line(entry) for entry in store.handed_over()]
    finally:
        db.close()
    if args.json:
        print(json.dumps({"policies": counts.states, "final_outcomes": counts.final_outcomes,
                          "attempts": counts.attempt_outcomes,
                          "attempts_running": counts.attempts_running,
                          "at_risk": at_risk, "letter_or_visit": letters},
                         ensure_ascii=False))
        return 0
    print("policies:  " + _pairs(counts.states))
    print("reached:   " + _pairs(counts.final_outcomes))
    print("attempts:  " + _pairs(counts.attempt_outcomes)
          + f"; running {counts.attempts_running}")
    print(f"at risk (犹豫期 ends within {args.days} days, not reached): {len(at_risk)}")
    for line in at_risk:
        print(f"  {line['policy_no']}  deadline {line['deadline']}  attempts {line['attempts']}")
    print(f"letter or visit (信函/上门): {len(letters)}")
    for line in letters:
        reason = str(line["reason"]).replace("\n", "; ")
        print(f"  {line['policy_no']}  deadline {line['deadline']}  {reason}")
    return 0


def _pairs(counts: dict[str, int]) -> str:
    return ", ".join(f"{key} {n}" for key, n in sorted(counts.items())) or "none"


def run_dnc_add(args: argparse.Namespace) -> int:
    """Add a number to the do-not-call list."""
    return _dnc_change(args, add=True)


def run_dnc_remove(args: argparse.Namespace) -> int:
    """Remove a number from the do-not-call list."""
    return _dnc_change(args, add=False)


def _dnc_change(args: argparse.Namespace, *, add: bool) -> int:
    db = open_db(args)
    if db is None:
        return EXIT_DATABASE
    try:
        with db.session() as session:
            store = CampaignStore(session)
            if add:
                changed = store.add_do_not_call(args.phone, args.reason, datetime.now(UTC))
            else:
                changed = store.remove_do_not_call(args.phone)
    except ValueError as err:
        report_error(args.phone, str(err))
        return EXIT_BAD_INPUT
    finally:
        db.close()
    verb = ("added to" if changed else "already on") if add else \
        ("removed from" if changed else "was not on")
    print(f"{_masked_input(args.phone)}: {verb} the do-not-call list")
    return 0


def run_dnc_list(args: argparse.Namespace) -> int:
    """Print the do-not-call list, one number a line."""
    db = open_db(args)
    if db is None:
        return EXIT_DATABASE
    try:
        with db.session() as session:
            listed = CampaignStore(session).do_not_call()
            entries = [(entry.phone, entry.reason, entry.added_at) for entry in listed]
    finally:
        db.close()
    for phone, reason, added in entries:
        shown = phone if args.unmasked else mask_phone(phone)
        print(f"{shown}\t{added.isoformat(timespec='seconds')}\t{reason}")
    return 0


def _masked_input(phone: str) -> str:
    """A typed number masked for echoing it back."""
    try:
        return mask_phone(normalise_phone(phone))
    except ValueError:
        return "****"
