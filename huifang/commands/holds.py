"""`huifang hold set|clear|list`: legal holds (法律保全) that keep a policy's or a call's records
from any purge, each change audited with who and why."""

from __future__ import annotations

import argparse
import json

from huifang.commands.common import EXIT_BAD_INPUT, Subparsers, report_error
from huifang.commands.database_option import EXIT_DATABASE, add_db_option, open_db
from huifang.commands.operator import add_by_option, operator
from storage.legal_holds import LegalHoldError, active_holds, clear_hold, set_hold
from storage.retention_models import LegalHold
from zhtext.personal_numbers import mask_personal_numbers


def register(sub: Subparsers) -> None:
    """Add the `hold` sub-command and its actions."""
    parser = sub.add_parser("hold", help="legal holds: keep a policy's or call's records")
    actions = parser.add_subparsers(dest="hold_action", required=True, metavar="ACTION")
    for name, run, text in (("set", run_set, "hold a policy (all its calls) or one call"),
                            ("clear", run_clear, "clear a policy's or call's hold")):
        action = actions.add_parser(name, help=text)
        target = action.add_mutually_exclusive_group(required=True)
        target.add_argument("--policy", metavar="NO", help="a policy number")
        target.add_argument("--call", type=int, metavar="ID", help="a call id")
        action.add_argument("--reason", required=True, help="why (the case, the request)")
        add_by_option(action, required=True)
        add_db_option(action)
        action.set_defaults(run=run)
    listing = actions.add_parser("list", help="the holds in force, one JSON line each")
    add_db_option(listing)
    listing.set_defaults(run=run_list)


def _hold_json(hold: LegalHold) -> dict[str, object]:
    return {"hold_id": hold.id, "policy_id": hold.policy_id, "call_id": hold.call_id,
            "reason": mask_personal_numbers(hold.reason), "set_at": hold.set_at.isoformat(),
            "set_by": hold.set_by,
            "cleared_at": hold.cleared_at.isoformat() if hold.cleared_at else None,
            "cleared_by": hold.cleared_by}


def _change(args: argparse.Namespace, setting: bool) -> int:
    db = open_db(args)
    if db is None:
        return EXIT_DATABASE
    try:
        with db.session() as session:
            try:
                actor = operator(session, args.by)
                change = set_hold if setting else clear_hold
                hold = change(session, actor, args.reason, policy_no=args.policy,
                              call_id=args.call)
            except LegalHoldError as err:
                report_error("--policy" if args.policy else "--call", str(err))
                return EXIT_BAD_INPUT
            except ValueError as err:
                report_error("--by", str(err))
                return EXIT_BAD_INPUT
            out = _hold_json(hold)
    finally:
        db.close()
    print(json.dumps(out, ensure_ascii=False))
    return 0


def run_set(args: argparse.Namespace) -> int:
    """Set a hold; exit 2 for an unknown target, a held one, an empty reason, an unknown --by."""
    return _change(args, setting=True)


def run_clear(args: argparse.Namespace) -> int:
    """Clear a hold; exit 2 when there is none."""
    return _change(args, setting=False)


def run_list(args: argparse.Namespace) -> int:
    """Print the holds in force."""
    db = open_db(args)
    if db is None:
        return EXIT_DATABASE
    try:
        with db.session() as session:
            lines = [json.dumps(_hold_json(hold), ensure_ascii=False)
                     for hold in active_holds(session)]
    finally:
        db.close()
    for line in lines:
        print(line)
    return 0
