"""`huifang purge [--apply]`: remove recordings, transcripts, calls and policies past retention.

A dry run by default: it prints what would go and what is kept and why. `--apply` removes it,
never anything on legal hold (`huifang hold`), and writes the counts to the audit trail and log.
A policy goes only once its end (`huifang policies end`, or a fixed term's) is past the legal
floor, with all its calls and its own rows.
Retention: HUIFANG_RETAIN_{RECORDINGS,TRANSCRIPTS,CALLS}_YEARS, refused below the legal minimum
(storage/retention.py says which rule and why).
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, date, datetime
from pathlib import Path

from huifang.calls.voiceprints import file_voiceprint_remover
from huifang.commands.common import EXIT_BAD_INPUT, Subparsers, report_error
from huifang.commands.database_option import EXIT_DATABASE, add_db_option, open_db
from huifang.commands.operator import add_by_option, operator
from huifang.settings import Settings, get_settings
from storage.purge import PurgePlan, apply_purge, plan_purge
from storage.retention import RetentionError, RetentionPolicy


def register(sub: Subparsers) -> None:
    """Add the `purge` sub-command."""
    parser = sub.add_parser(
        "purge", help="remove recordings, transcripts, calls and policies past retention (dry"
                      " run unless --apply)")  # fmt: skip
    parser.add_argument("--apply", action="store_true",
                        help="remove them (default: only list what would go)")
    parser.add_argument("--as-of", type=date.fromisoformat, default=None, metavar="YYYY-MM-DD",
                        help="dry run only: what would be due on this day (default: now)")
    add_by_option(parser)
    add_db_option(parser)
    parser.set_defaults(run=run_purge)


def retention_policy(settings: Settings) -> RetentionPolicy:
    """The configured retention; RetentionError names a setting the law does not allow."""
    return RetentionPolicy(settings.retain_recordings_years, settings.retain_transcripts_years,
                           settings.retain_calls_years)


def _as_of(day: date | None) -> datetime:
    if day is None:
        return datetime.now(UTC)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _plan_json(plan: PurgePlan, applied: bool) -> dict[str, object]:
    return {"as_of": plan.as_of.isoformat(), "apply": applied,
            "recordings": len(plan.recordings), "transcripts": len(plan.transcripts),
            "calls": len(plan.calls), "kept": plan.kept,
            "call_ids": {"recordings": list(plan.recordings),
                         "transcripts": list(plan.transcripts), "calls": list(plan.calls)},
            "policies": len(plan.policies), "policies_kept": plan.policies_kept,
            "policy_ids": list(plan.policies)}


def run_purge(args: argparse.Namespace) -> int:
    """List (or remove) what retention lets go; exit 2 on a setting below the legal minimum."""
    settings = get_settings()
    try:
        policy = retention_policy(settings)
    except RetentionError as err:
        report_error("retention", str(err))
        return EXIT_BAD_INPUT
    if args.apply and args.as_of is not None:
        report_error("--as-of", "only for a dry run: --apply removes what is due now")
        return EXIT_BAD_INPUT
    db = open_db(args)
    if db is None:
        return EXIT_DATABASE
    try:
        with db.session() as session:
            try:
                actor = operator(session, args.by) if args.apply else None
                plan = plan_purge(session, policy, _as_of(args.as_of))
            except (ValueError, OverflowError) as err:
                report_error("--by" if args.apply else "--as-of", str(err))
                return EXIT_BAD_INPUT
            out = _plan_json(plan, args.apply)
            if actor is not None:
                result = apply_purge(session, plan, actor, [Path(settings.recordings_dir)],
                                     file_voiceprint_remover(settings))
                out["removed"] = {"recording_files": result.recording_files,
                                  "recordings_missing": result.recordings_missing,
                                  "recordings_outside": result.recordings_outside,
                                  "utterances": result.utterances, "calls": result.calls,
                                  "policies": result.policies,
                                  "voiceprints": result.voiceprints,
                                  "voiceprint_files": result.voiceprint_files}
    finally:
        db.close()
    print(json.dumps(out, ensure_ascii=False))
    return 0
