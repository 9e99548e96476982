"""`huifang voiceprints count|delete`: the stored voiceprints (声纹, personal data) on request."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from agent_assist.voiceprint_index import VoiceprintIndex
from huifang.commands.common import EXIT_BAD_INPUT, Subparsers, report_error
from huifang.commands.database_option import EXIT_DATABASE, add_db_option, open_db
from huifang.commands.operator import add_by_option, operator
from huifang.settings import get_settings, voiceprint_key
from storage.audit import record_change
from storage.policy_view import policyholder_from_policy
from storage.repository import Repository


def register(sub: Subparsers) -> None:
    """Add the `voiceprints` sub-command and its actions."""
    parser = sub.add_parser("voiceprints", help="stored voiceprints: count, delete a holder's")
    actions = parser.add_subparsers(dest="voiceprints_action", required=True, metavar="ACTION")
    count = actions.add_parser("count", help="how many voiceprints of how many policyholders")
    count.set_defaults(run=run_count)
    delete = actions.add_parser(
        "delete", help="delete every voiceprint of the holder of a policy (数据删除请求)")
    delete.add_argument("--policy", required=True, metavar="NO",
                        help="a policy number: its holder's voiceprints go, from every policy")
    add_by_option(delete, required=True)
    add_db_option(delete)
    delete.set_defaults(run=run_delete)


def _index() -> VoiceprintIndex | None:
    """The stored voiceprints; None after reporting a key that cannot read them."""
    settings = get_settings()
    try:
        return VoiceprintIndex.open(Path(settings.voiceprints_dir), settings.store_voiceprints,
                                    voiceprint_key(settings))
    except (OSError, ValueError) as err:  # VoiceprintKeyError, a short or unreadable key
        report_error("voiceprints", str(err))
        return None


def run_count(args: argparse.Namespace) -> int:
    """Print the counts as one JSON object (no names: the sidecar holds pseudonyms)."""
    index = _index()
    if index is None:
        return EXIT_BAD_INPUT
    holders = {entry.policyholder_id for entry in index.entries()}
    print(json.dumps({"voiceprints": len(index), "policyholders": len(holders)}))
    return 0


def run_delete(args: argparse.Namespace) -> int:
    """Delete the holder's voiceprints, save, and write who asked into the audit trail."""
    index = _index()
    if index is None:
        return EXIT_BAD_INPUT
    db = open_db(args)
    if db is None:
        return EXIT_DATABASE
    try:
        with db.session() as session:
            policy = Repository(session).policy(args.policy)
            holders = {e.policyholder_id for e in index.entries() if e.policy_no == args.policy}
            if policy is not None:
                holders.add(policyholder_from_policy(policy).policyholder_id)
            elif not holders:
                report_error("--policy", f"{args.policy}: no such policy and no voiceprint of it")
                return EXIT_BAD_INPUT
            try:
                actor = operator(session, args.by)
            except ValueError as err:
                report_error("--by", str(err))
                return EXIT_BAD_INPUT
            removed = sum(index.remove_policyholder(holder) for holder in holders)
            index.save()
            record_change(session, actor, "voiceprints.delete", "policy",
                          policy.id if policy is not None else 0, {"policy_no": args.policy},
                          {"voiceprints_removed": removed})
    finally:
        db.close()
    print(json.dumps({"policy": args.policy, "removed": removed, "left": len(index)}))
    return 0
