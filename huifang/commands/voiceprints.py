"""`huifang voiceprints count|delete`: the stored voiceprints (声纹, personal data) on request."""

from __future__ import annotations

import argparse
import json

from agent_assist.voiceprint_index import VoiceprintEntry, VoiceprintStore
from huifang.calls.voiceprints import open_voiceprints
from huifang.commands.common import EXIT_BAD_INPUT, Subparsers, report_error
from huifang.commands.database_option import EXIT_DATABASE, add_db_option, db_url, open_db
from huifang.commands.operator import add_by_option, operator
from huifang.settings import get_settings, voiceprints_in_database
from storage.audit import record_change
from storage.database import Database
from storage.policy_view import policyholder_from_policy
from storage.repository import Repository


def register(sub: Subparsers) -> None:
    """Add the `voiceprints` sub-command and its actions."""
    parser = sub.add_parser("voiceprints", help="stored voiceprints: count, delete a holder's")
    actions = parser.add_subparsers(dest="voiceprints_action", required=True, metavar="ACTION")
    count = actions.add_parser("count", help="how many voiceprints of how many policyholders")
    add_db_option(count)
    count.set_defaults(run=run_count)
    delete = actions.add_parser(
        "delete", help="delete every voiceprint of the holder of a policy (数据删除请求)")
    delete.add_argument("--policy", required=True, metavar="NO",
                        help="a policy number: its holder's voiceprints go, from every policy")
    add_by_option(delete, required=True)
    add_db_option(delete)
    delete.set_defaults(run=run_delete)


def _entries(store: VoiceprintStore) -> tuple[VoiceprintEntry, ...] | None:
    """The stored voiceprints' entries; None after reporting a key that cannot read them."""
    try:
        return store.entries()
    except (OSError, ValueError) as err:  # VoiceprintKeyError, a short or unreadable key
        report_error("voiceprints", str(err))
        return None


def _store(db: Database | None) -> VoiceprintStore | None:
    """The deployment's store (the database's, or this node's files); None after reporting."""
    try:
        return open_voiceprints(get_settings(), db)
    except (OSError, ValueError) as err:  # a short or unreadable key
        report_error("voiceprints", str(err))
        return None


def run_count(args: argparse.Namespace) -> int:
    """Print the counts as one JSON object (no names: holders are kept by pseudonym)."""
    in_database = voiceprints_in_database(get_settings(), db_url(args))
    db = open_db(args) if in_database else None
    if in_database and db is None:
        return EXIT_DATABASE
    try:
        store = _store(db)
        entries = _entries(store) if store is not None else None
    finally:
        if db is not None:
            db.close()
    if entries is None:
        return EXIT_BAD_INPUT
    holders = {entry.policyholder_id for entry in entries}
    print(json.dumps({"voiceprints": len(entries), "policyholders": len(holders)}))
    return 0


def run_delete(args: argparse.Namespace) -> int:
    """Delete the holder's voiceprints (kept at once), then write who asked into the audit
    trail."""
    db = open_db(args)
    if db is None:
        return EXIT_DATABASE
    try:
        store = _store(db)
        entries = _entries(store) if store is not None else None
        if store is None or entries is None:
            return EXIT_BAD_INPUT
        with db.session() as session:
            policy = Repository(session).policy(args.policy)
            policy_id = policy.id if policy is not None else 0
            holders = {e.policyholder_id for e in entries if e.policy_no == args.policy}
            if policy is not None:
                holders.add(policyholder_from_policy(policy).policyholder_id)
            elif not holders:
                report_error("--policy", f"{args.policy}: no such policy and no voiceprint of it")
                return EXIT_BAD_INPUT
            try:
                operator(session, args.by)
            except ValueError as err:
                report_error("--by", str(err))
                return EXIT_BAD_INPUT
        removed = sum(store.remove_policyholder(holder) for holder in holders)
        with db.session() as session:
            record_change(session, operator(session, args.by), "voiceprints.delete", "policy",
                          policy_id, {"policy_no": args.policy},
                          {"voiceprints_removed": removed})
        left = len(store)
    finally:
        db.close()
    print(json.dumps({"policy": args.policy, "removed": removed, "left": left}))
    return 0
