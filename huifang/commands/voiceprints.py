"""`huifang voiceprints count|delete|move-to-database`: the stored voiceprints (声纹, personal
data) on request, and a node's files moved into the store every node shares."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent_assist.voiceprint_index import (
    MATRIX_FILE,
    SIDECAR_FILE,
    VoiceprintEntry,
    VoiceprintIndex,
    VoiceprintStore,
)
from agent_assist.voiceprint_store import LOCK_FILE, SharedVoiceprints
from huifang.calls.voiceprints import open_voiceprints
from huifang.commands.common import EXIT_BAD_INPUT, Subparsers, report_error
from huifang.commands.database_option import EXIT_DATABASE, add_db_option, db_url, open_db
from huifang.commands.operator import add_by_option, operator
from huifang.settings import get_settings, voiceprint_key, voiceprints_in_database
from storage.audit import record_change
from storage.database import Database
from storage.models import CallRecord
from storage.policy_view import policyholder_from_policy
from storage.repository import Repository
from storage.voiceprints import DatabaseVoiceprints


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
    move = actions.add_parser(
        "move-to-database", help="move this node's voiceprint files into the shared database")
    add_by_option(move, required=True)
    add_db_option(move)
    move.set_defaults(run=run_move)


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


def run_move(args: argparse.Namespace) -> int:
    """Move the file store's voiceprints into the database's (those of calls it holds and
    has none for); the files keep only what could not move, and go when empty."""
    settings = get_settings()
    directory = Path(settings.voiceprints_dir)
    if not (directory / SIDECAR_FILE).exists():
        report_error("voiceprints", f"no voiceprint files in {directory}")
        return EXIT_BAD_INPUT
    db = open_db(args)
    if db is None:
        return EXIT_DATABASE
    try:
        try:
            key = voiceprint_key(settings)
            files = SharedVoiceprints(directory, True, key)
            index = VoiceprintIndex.open(directory, True, key)
        except (OSError, ValueError) as err:  # VoiceprintKeyError, a short or unreadable key
            report_error("voiceprints", str(err))
            return EXIT_BAD_INPUT
        with db.session() as session:
            try:
                actor = operator(session, args.by)
            except ValueError as err:
                report_error("--by", str(err))
                return EXIT_BAD_INPUT
            known = _stored_calls(session, index.entries())
        moved = move_voiceprints(index, files, DatabaseVoiceprints(db.engine, True, key), known)
        with db.session() as session:
            record_change(session, actor, "voiceprints.move", "voiceprints", 0, None, moved)
    finally:
        db.close()
    print(json.dumps(moved))
    return 0


def _stored_calls(session: Session, entries: tuple[VoiceprintEntry, ...]) -> set[str]:
    """The entries' call ids that name a call of this database."""
    ids = [int(e.call_id) for e in entries if e.call_id.isdigit()]
    found: set[str] = set()
    for start in range(0, len(ids), 500):
        query = select(CallRecord.id).where(CallRecord.id.in_(ids[start:start + 500]))
        found |= {str(call_id) for call_id in session.scalars(query)}
    return found


def move_voiceprints(index: VoiceprintIndex, files: SharedVoiceprints,
                     database: DatabaseVoiceprints, known: set[str]) -> dict[str, int]:
    """Copy the entries of known calls the database has none for, then take every entry of a
    known call out of the files (removed when empty); the counts."""
    already = {entry.call_id for entry in database.entries()}
    entries, vectors = index.entries(), index.vectors()
    rows = [i for i, e in enumerate(entries) if e.call_id in known and e.call_id not in already]
    if rows:
        database.add_many([entries[i] for i in rows], vectors[rows])
    gone = files.remove_calls(known)
    if not files.entries():
        for name in (MATRIX_FILE, SIDECAR_FILE, LOCK_FILE):
            (files.directory / name).unlink(missing_ok=True)
    return {"moved": len(rows), "already_in_database": gone - len(rows),
            "left_in_files": len(entries) - gone}
