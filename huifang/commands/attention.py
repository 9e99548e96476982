"""`huifang attention add|rectify|observe|revoke|list|show|propose|report`: the
special-attention list (特别关注)."""

from __future__ import annotations

import argparse
import getpass
import json
from collections.abc import Callable
from datetime import date

from sqlalchemy.orm import Session

from huifang.commands.attention_control import add_control_actions
from huifang.commands.common import EXIT_BAD_INPUT, Subparsers, report_error
from huifang.commands.database_option import EXIT_DATABASE, add_db_option, open_db
from huifang.settings import get_settings
from storage.attention import (
    AttentionError,
    Listing,
    RevocationBasis,
    entries,
    entry,
    entry_flags,
    flagged_policy_count,
    observe_entry,
    rectify_entry,
    report_entry,
    revoke_entry,
)
from storage.attention_audit import (
    OBSERVE,
    RECTIFY,
    REPORT,
    REVOKE,
    record_attention_change,
    snapshot,
)
from storage.attention_models import (
    AttentionEntry,
    AttentionGround,
    AttentionSeverity,
    AttentionStatus,
    AttentionSubject,
)
from storage.attention_view import entry_view
from storage.audit import Actor
from storage.models import User

_COLUMNS = ("id", "status", "subject", "name", "within_branch", "effective_from", "revoked_on")


def register(sub: Subparsers) -> None:
    """Add the `attention` sub-command and its actions."""
    parser = sub.add_parser(
        "attention", help="the special-attention list (特别关注): salespeople, teams, branches"
    )
    actions = parser.add_subparsers(dest="attention_action", required=True, metavar="ACTION")
    _add_add(actions)
    runs = {"rectify": run_rectify, "observe": run_observe, "revoke": run_revoke}
    for name, verb in (("rectify", "move a reported entry (or a relapse) to 整改"),
                       ("observe", "move a rectified entry to observation"),
                       ("revoke", "take an entry off the list (after verification or a clean"
                                  " monitoring period)")):  # fmt: skip
        move = actions.add_parser(name, help=verb)
        move.add_argument("entry_id", type=_entry_id, metavar="ID", help="entry id (see list)")
        if name == "revoke":
            move.add_argument("--basis", required=True, choices=[b.value for b in RevocationBasis],
                              help="verification: checked, no violation found; clean_period: "
                                   "HUIFANG_ATTENTION_MONITORING_DAYS under observation, none")
        _add_change_options(move)
        move.set_defaults(run=runs[name])
    listing = actions.add_parser("list", help="the entries, as a table (or --json lines)")
    listing.add_argument("--status", choices=[s.value for s in AttentionStatus], default=None)
    listing.add_argument("--json", action="store_true", help="one JSON object per entry")
    add_db_option(listing)
    listing.set_defaults(run=run_list)
    show = actions.add_parser(
        "show", help="one entry with its history and the policies flagged for it, as JSON"
    )
    show.add_argument("entry_id", type=_entry_id, metavar="ID", help="entry id (see list)")
    add_db_option(show)
    show.set_defaults(run=run_show)
    add_control_actions(actions)


def _add_add(actions: Subparsers) -> None:
    """The `add` action: one of --salesperson, --team, --branch."""
    add = actions.add_parser("add", help="report a salesperson, team or branch (status reported)")
    subject = add.add_mutually_exclusive_group(required=True)
    for kind in AttentionSubject:
        subject.add_argument(f"--{kind.value}", metavar="NAME", help=f"the {kind.value}'s name")
    add.add_argument(
        "--within-branch", default="", metavar="BRANCH",
        help="the branch of a salesperson or team whose name recurs elsewhere (default: any)",
    )  # fmt: skip
    add.add_argument("--ground", required=True, choices=[g.value for g in AttentionGround],
                     help="why: a salesperson one of the first eight (violation kinds)")
    add.add_argument("--severity", default=AttentionSeverity.MINOR.value,
                     choices=[s.value for s in AttentionSeverity],
                     help="minor (default): stricter callback and more questions; serious: also "
                          "a dedicated agent; grave: also restricted products")
    add.add_argument("--agent", default=None, metavar="USER",
                     help="the callback agent who calls the subject's policies (serious, grave)")
    add.add_argument("--products", default="", metavar="LIST",
                     help="the products (families or names, comma-separated) restricted (grave)")
    _add_change_options(add)
    add.set_defaults(run=run_add)


def _add_change_options(parser: argparse.ArgumentParser) -> None:
    """--reason, --date, --by and --db-url, shared by add, observe and revoke."""
    parser.add_argument("--reason", required=True, help="why (kept in the entry's history)")
    parser.add_argument(
        "--date", type=_date, default=None, metavar="DATE",
        help="the day it takes effect, YYYY-MM-DD (default: today)",
    )  # fmt: skip
    parser.add_argument(
        "--by", default=None, metavar="WHO", help="who makes the change (default: your login)"
    )
    add_db_option(parser)


def run_add(args: argparse.Namespace) -> int:
    """Report the subject; print the new entry's line."""
    subject = next(kind for kind in AttentionSubject if getattr(args, kind.value) is not None)
    name: str = getattr(args, subject.value)

    def act(session: Session) -> AttentionEntry:
        agent = None
        if args.agent is not None:
            agent = session.query(User).filter_by(username=args.agent.strip()).one_or_none()
            if agent is None:
                raise AttentionError("bad_agent", f"no user {args.agent!r}")
        listing = Listing(AttentionGround(args.ground), AttentionSeverity(args.severity),
                          agent, args.products)  # fmt: skip
        return report_entry(
            session, subject, name, args.reason, listing=listing, by=_actor(args), on=args.date,
            within_branch=args.within_branch,
        )  # fmt: skip

    return _change(args, act, REPORT)


def run_rectify(args: argparse.Namespace) -> int:
    """Move the entry to 整改."""
    return _change(
        args,
        lambda s: rectify_entry(s, args.entry_id, args.reason, by=_actor(args), on=args.date),
        RECTIFY,
    )


def run_observe(args: argparse.Namespace) -> int:
    """Move the entry to observation."""
    return _change(
        args,
        lambda s: observe_entry(s, args.entry_id, args.reason, by=_actor(args), on=args.date),
        OBSERVE,
    )


def run_revoke(args: argparse.Namespace) -> int:
    """Revoke the entry."""
    return _change(
        args,
        lambda s: revoke_entry(
            s, args.entry_id, args.reason, basis=RevocationBasis(args.basis), by=_actor(args),
            on=args.date, monitoring_days=get_settings().attention_monitoring_days),
        REVOKE,
    )


def run_list(args: argparse.Namespace) -> int:
    """Print the entries, oldest first: a table, or JSON lines."""
    status = AttentionStatus(args.status) if args.status else None
    db = open_db(args)
    if db is None:
        return EXIT_DATABASE
    try:
        with db.session() as session:
            views = [entry_view(found) for found in entries(session, status)]
    finally:
        db.close()
    if args.json:
        for view in views:
            print(json.dumps(view, ensure_ascii=False))
    else:
        _print_table(views)
    return 0


def run_show(args: argparse.Namespace) -> int:
    """Print one entry with its history as JSON; exit 2 for an unknown id."""
    db = open_db(args)
    if db is None:
        return EXIT_DATABASE
    try:
        with db.session() as session:
            found = entry(session, args.entry_id)
            view = entry_view(found, history=True)
            view["flagged_policies"] = [
                flag.policy.policy_no for flag in entry_flags(session, found)
            ]
    except AttentionError as err:
        report_error("attention", str(err))
        return EXIT_BAD_INPUT
    finally:
        db.close()
    print(json.dumps(view, ensure_ascii=False, indent=2))
    return 0


def _change(args: argparse.Namespace, act: Callable[[Session], AttentionEntry], action: str) -> int:
    """Run one change in a transaction with its audit entry; print the entry's line, or the
    refusal (exit 2)."""
    db = open_db(args)
    if db is None:
        return EXIT_DATABASE
    try:
        with db.session() as session:
            moved: int | None = getattr(args, "entry_id", None)
            before = snapshot(entry(session, moved)) if moved is not None else None
            changed = act(session)
            # Not a web user: the trail names the operator as --by or their login gave it.
            record_attention_change(session, Actor(None, _actor(args)), action, before, changed)
            line = f"{_summary(changed)}; {flagged_policy_count(session, changed)} policies flagged"
    except AttentionError as err:
        report_error("attention", str(err))
        return EXIT_BAD_INPUT
    finally:
        db.close()
    print(line)
    return 0


def _summary(found: AttentionEntry) -> str:
    """`entry 3: salesperson 李明 (广东分公司) reported from 2024-11-01`."""
    where = f" ({found.within_branch})" if found.within_branch else ""
    last = found.changes[-1]
    return (
        f"entry {found.id}: {found.subject_kind.value} {found.subject_name}{where} "
        f"{found.status.value} from {last.effective_on.isoformat()}"
    )


def _print_table(views: list[dict[str, object]]) -> None:
    """Entries as tab-separated columns under a header (empty cells as -)."""
    print("\t".join(_COLUMNS))
    for view in views:
        print("\t".join(str(view[column] or "-") for column in _COLUMNS))


def _actor(args: argparse.Namespace) -> str:
    """Who makes the change: --by, else the login name."""
    by: str | None = args.by
    if by is not None:
        return by
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in some containers: say so rather than fail
        return "unknown"


def _date(text: str) -> date:
    """A YYYY-MM-DD argument; argparse turns the error into a usage message and exit 2."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from err


def _entry_id(text: str) -> int:
    """A positive entry id."""
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"not an entry id (a positive number): {text!r}")
    return int(text)
