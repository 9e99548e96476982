"""`huifang policies import FILE`, `policies show NO`, `policies end NO` and `policies
phone-changes FILE`: the policies to call back, their recorded ends and contact-number changes."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

from huifang.commands.common import EXIT_BAD_INPUT, Subparsers, report_error
from huifang.commands.database_option import EXIT_DATABASE, add_db_option, open_db
from huifang.commands.operator import actor_for, add_by_option, operator
from huifang.commands.phone_changes import add_phone_changes_action
from storage.attention import policy_flags
from storage.attention_view import flag_view
from storage.phone_changes import phone_change_records, phone_change_view
from storage.phone_cue_flags import flag_stored_phone_cues
from storage.policy_end import REASON_NAMES, PolicyEndError, end_policy, end_reason
from storage.policy_file import PolicyFileError
from storage.policy_import import describe_row, import_policy_file
from storage.policy_view import policy_view
from storage.repository import Repository

# Exit status of `show` for a policy number the database does not hold.
EXIT_NOT_FOUND = 3


def register(sub: Subparsers) -> None:
    """Add the `policies` sub-command and its actions."""
    parser = sub.add_parser("policies", help="import and look up policies to call back")
    actions = parser.add_subparsers(dest="policies_action", required=True, metavar="ACTION")
    importing = actions.add_parser(
        "import", help="import policies from .csv or .xlsx; bad rows are reported and kept out"
    )
    importing.add_argument("file", type=Path, help="CSV (UTF-8 or GB18030) or XLSX file")
    add_by_option(importing)
    add_db_option(importing)
    importing.set_defaults(run=run_import)
    show = actions.add_parser(
        "show", help="print one policy, its flags and phone changes as JSON (numbers masked)"
    )
    show.add_argument("policy_no", help="policy number (保单号)")
    show.add_argument("--unmasked", action="store_true", help="show phone and ID digits")
    add_db_option(show)
    show.set_defaults(run=run_show)
    ending = actions.add_parser(
        "end", help="record the day a policy's contract ended and why (retention counts from it)"
    )
    ending.add_argument("policy_no", help="policy number (保单号)")
    ending.add_argument("--on", required=True, metavar="YYYY-MM-DD", help="the day it ended")
    ending.add_argument("--reason", required=True, metavar="REASON",
                        help="one of " + ", ".join(f"{reason.value} ({name})"
                                                   for name, reason in REASON_NAMES.items()))
    add_by_option(ending, required=True)
    add_db_option(ending)
    ending.set_defaults(run=run_end)
    add_phone_changes_action(actions)


def run_import(args: argparse.Namespace) -> int:
    """Import the file; one stderr line per bad row; exit 2 if any row was bad."""
    path: Path = args.file
    db = open_db(args)
    if db is None:
        return EXIT_DATABASE
    try:
        actor = actor_for(db, args.by)
        report = import_policy_file(db, path, source=f"保单导入 {path.name}", actor=actor)
        cues = flag_stored_phone_cues(db, report.policy_nos)
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
    if report.flagged:
        print(f"{path}: {report.flagged} special-attention flag(s) raised (huifang policies show)")
    if cues.added:
        print(f"{path}: {cues.added} phone-cue flag(s) raised (the review console lists them)")
    print(
        f"{path}: imported {report.imported}, updated {report.updated}, "
        f"unchanged {report.unchanged}, rejected {report.rejected}"
    )
    return EXIT_BAD_INPUT if report.rejected or report.problems else 0


def run_show(args: argparse.Namespace) -> int:
    """Print the policy as JSON; exit 3 if there is no such policy."""
    db = open_db(args)
    if db is None:
        return EXIT_DATABASE
    try:
        with db.session() as session:
            policy = Repository(session).policy(args.policy_no)
            view = None
            if policy is not None:
                view = policy_view(policy, masked=not args.unmasked)
                view["flags"] = [flag_view(flag) for flag in policy_flags(session, policy)]
                view["phone_changes"] = [
                    phone_change_view(change, masked=not args.unmasked)
                    for change in phone_change_records(session, policy.policy_no)
                ]
    finally:
        db.close()
    if view is None:
        report_error(args.policy_no, "no such policy")
        return EXIT_NOT_FOUND
    print(json.dumps(view, ensure_ascii=False, indent=2))
    return 0


def run_end(args: argparse.Namespace) -> int:
    """Record the policy's end; exit 2 for a bad date or reason, an unknown policy or --by."""
    try:
        on = date.fromisoformat(args.on)
    except ValueError:
        report_error("--on", f"{args.on!r} is not a date (YYYY-MM-DD)")
        return EXIT_BAD_INPUT
    db = open_db(args)
    if db is None:
        return EXIT_DATABASE
    try:
        with db.session() as session:
            try:
                reason = end_reason(args.reason)
                actor = operator(session, args.by)
            except PolicyEndError as err:
                report_error("--reason", str(err))
                return EXIT_BAD_INPUT
            except ValueError as err:
                report_error("--by", str(err))
                return EXIT_BAD_INPUT
            try:
                policy = end_policy(session, actor, args.policy_no, on, reason)
            except PolicyEndError as err:
                report_error(args.policy_no, str(err))
                return EXIT_BAD_INPUT
            out = {"policy_no": policy.policy_no, "ended_on": on.isoformat(),
                   "end_reason": reason.value}
    finally:
        db.close()
    print(json.dumps(out, ensure_ascii=False))
    return 0
