"""`huifang policies phone-changes FILE`: store a policy-service export of phone changes."""

from __future__ import annotations

import argparse
from pathlib import Path

from agent_assist.phone_change_file import PhoneChangeFileError
from huifang.commands.common import EXIT_BAD_INPUT, Subparsers, report_error
from huifang.commands.database_option import EXIT_DATABASE, add_db_option, open_db
from storage.phone_changes import import_phone_change_file
from storage.phone_cue_flags import flag_stored_phone_cues


def add_phone_changes_action(actions: Subparsers) -> None:
    """Add the `phone-changes` action to `huifang policies`."""
    parser = actions.add_parser(
        "phone-changes",
        help="store phone changes from a CSV (保单号,原号码,新号码,变更时间); bad rows kept out",
    )
    parser.add_argument(
        "file", type=Path, help="UTF-8 CSV: policy_no,old_phone,new_phone,changed_at (or Chinese)"
    )
    parser.add_argument(
        "--source", default=None, help="where the changes come from (default: the file's name)"
    )
    add_db_option(parser)
    parser.set_defaults(run=run_phone_changes)


def run_phone_changes(args: argparse.Namespace) -> int:
    """Import the file; one stderr line per bad row; exit 2 if any row was bad."""
    path: Path = args.file
    db = open_db(args)
    if db is None:
        return EXIT_DATABASE
    try:
        report = import_phone_change_file(db, path, source=args.source)
        cues = flag_stored_phone_cues(db, report.policy_nos)
    except PhoneChangeFileError as err:
        report_error(str(path), str(err))
        return EXIT_BAD_INPUT
    finally:
        db.close()
    if cues.added:
        print(f"{path}: {cues.added} phone-cue flag(s) raised (the review console lists them)")
    for problem in report.problems:
        report_error(str(path), problem)
    print(
        f"{path}: imported {report.imported}, unchanged {report.unchanged}, "
        f"rejected {report.rejected}"
    )
    return EXIT_BAD_INPUT if report.problems else 0
