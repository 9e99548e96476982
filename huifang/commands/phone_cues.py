"""`huifang phone-cues [--since DATE] [--json]`: phone-number cues over the stored policies."""

from __future__ import annotations

import argparse
import json
from datetime import date, timedelta
from pathlib import Path

from agent_assist.phone_change_file import PhoneChangeFileError, read_phone_changes
from agent_assist.phone_cues import PhoneCue, PhoneCueSettings
from agent_assist.phone_records import PhoneChange
from huifang.commands.common import EXIT_BAD_INPUT, Subparsers, report_error
from huifang.commands.database_option import EXIT_DATABASE, add_db_option, open_db
from storage.phone_cue_scan import scan_phone_cues

# Policies signed this many days back by default: new policies still in or near the 犹豫期.
DEFAULT_LOOKBACK_DAYS = 30
DEFAULT_CHANGE_DAYS = PhoneCueSettings().change_window_days


def register(sub: Subparsers) -> None:
    """Add the `phone-cues` sub-command."""
    parser = sub.add_parser(
        "phone-cues", help="phone-number cues (号段相近, shared numbers, early changes) to verify"
    )
    parser.add_argument(
        "--since", type=date.fromisoformat, default=None, metavar="DATE",
        help=f"policies signed on or after DATE (default: {DEFAULT_LOOKBACK_DAYS} days ago)",
    )  # fmt: skip
    parser.add_argument(
        "--changes", type=Path, default=None, metavar="FILE",
        help="CSV of phone changes: policy_no,old_phone,new_phone,changed_at (or 保单号,原号码,…)",
    )  # fmt: skip
    parser.add_argument(
        "--change-days", type=int, default=DEFAULT_CHANGE_DAYS, metavar="N",
        help="flag a change made this many days or fewer after signing (default: %(default)s)",
    )  # fmt: skip
    parser.add_argument("--json", action="store_true", help="one JSON object per cue")
    add_db_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print the cues, most urgent first; 2 on an unreadable change file, 1 without a database."""
    changes = _changes(args.changes)
    if changes is None:
        return EXIT_BAD_INPUT
    db = open_db(args)
    if db is None:
        return EXIT_DATABASE
    since: date = args.since or date.today() - timedelta(days=DEFAULT_LOOKBACK_DAYS)
    settings = PhoneCueSettings(change_window_days=args.change_days)
    try:
        # A plain session, never committed: the scan only reads.
        with db.sessions() as session:
            cues = scan_phone_cues(session, since, changes, settings)
    finally:
        db.close()
    for cue in cues:
        print(json.dumps(cue.as_json(), ensure_ascii=False) if args.json else _line(cue))
    return 0


def _changes(path: Path | None) -> list[PhoneChange] | None:
    """The change records from --changes (none without it); None after reporting a bad file."""
    if path is None:
        return []
    try:
        return read_phone_changes(path)
    except PhoneChangeFileError as err:
        report_error(str(path), str(err))
        return None


def _line(cue: PhoneCue) -> str:
    """A cue for a terminal: severity, kind, policies and the masked message."""
    return f"[{cue.severity.value}] {cue.kind.value} {','.join(cue.policy_nos)}: {cue.message}"
