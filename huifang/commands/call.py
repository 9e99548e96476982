"""`huifang call SIP_URI --policy NO | --policy-json FILE`: one automated callback, its outcome
as JSON."""

from __future__ import annotations

import argparse
import asyncio
import json
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from asr.engines import load_engine
from asr.errors import AsrError
from huifang.call_recovery import settle_left_open
from huifang.calls.options import CallbackOptions, callback_asr_config
from huifang.calls.outbound import call_policyholder, run_stored_callback
from huifang.calls.outcome import CallbackOutcome, outcome_json
from huifang.calls.pipeline import pipeline_from_settings
from huifang.calls.policy_input import PolicyInputError, policy_from_json
from huifang.calls.policy_lookup import DedicatedAgentError, UnknownPolicyError, robot_policy
from huifang.commands.common import EXIT_BAD_INPUT, Subparsers, report_error
from huifang.commands.database_option import EXIT_DATABASE, add_db_option, open_db
from huifang.prompt_audio.configured import prompt_cache_from_settings
from huifang.settings import Settings, get_settings, sip_config
from ivr.call_leg import DialError
from ivr.phone import Phone
from scripts_zh.policy import PolicyRecord
from storage.database import Database
from storage.errors import StorageError

EXIT_NOT_COMPLETED = 1  # the outcome is printed, but nobody took the call (or it failed)
_SIP_URI = re.compile(r"^sips?:([^@\s;]+@)?[A-Za-z0-9.\-\[\]:]+(;[^\s]*)?$")


@dataclass(frozen=True)
class _StoredPolicy:
    """`--policy NO`: the policy is in this database, and the call is stored there."""

    database: Database
    policy_no: str


def register(sub: Subparsers) -> None:
    """Add the `call` sub-command."""
    parser = sub.add_parser(
        "call", help="run one automated callback (预回访) over SIP",
        description="Run one automated callback and print its outcome as one JSON line. With "
                    "--policy the policy comes from the database, and the call, its item "
                    "answers with evidence and its problem cases are stored there (the JSON "
                    "starts with the stored call_id); with --policy-json nothing is stored "
                    "(a trial of a script or a line).")
    parser.add_argument("uri", metavar="SIP_URI", help="whom to call, e.g. sip:13800000000@pbx")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--policy", metavar="NO",
                        help="policy number (保单号) in the database; the call is stored there")
    source.add_argument("--policy-json", type=Path,
                        help="the policy record as a JSON object; the call is not stored")
    parser.add_argument("--events", action="store_true", help="include every event of the call")
    add_db_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Exit 0 when the call ran its script, 1 when it did not connect (or was not stored), 2 on
    bad input."""
    if not _SIP_URI.match(args.uri):
        report_error(args.uri, "not a SIP URI (sip:user@host[:port])")
        return EXIT_BAD_INPUT
    if args.policy is None:
        try:
            policy = policy_from_json(args.policy_json)
        except PolicyInputError as err:
            report_error("policy", str(err))
            return EXIT_BAD_INPUT
        return _run(args, policy)
    database = open_db(args)
    if database is None:
        return EXIT_DATABASE
    try:
        robot_policy(database, args.policy)  # a wrong number fails before any model loads
        return _run(args, _StoredPolicy(database, args.policy))
    except (UnknownPolicyError, DedicatedAgentError) as err:
        report_error(f"--policy {args.policy}", str(err))
        return EXIT_BAD_INPUT
    finally:
        database.close()


def _run(args: argparse.Namespace, policy: PolicyRecord | _StoredPolicy) -> int:
    """Place the call, print the outcome (with the stored call id) and choose the exit."""
    try:
        outcome, call_id = asyncio.run(_call(get_settings(), args.uri, policy))
    except AsrError as err:
        report_error("engine", str(err))
        return EXIT_BAD_INPUT
    except DialError as err:
        report_error(args.uri, str(err))
        return EXIT_BAD_INPUT
    except (StorageError, SQLAlchemyError) as err:  # the call may have run: say it was not kept
        report_error("database", f"the call could not be stored: {err}")
        return EXIT_DATABASE
    data = outcome_json(outcome, with_events=args.events)
    if isinstance(policy, _StoredPolicy):
        data = {"call_id": call_id, **data}
    print(json.dumps(data, ensure_ascii=False), flush=True)
    if not outcome.completed:
        call = outcome.call
        report_error(args.uri, f"call not completed: {call.outcome} "
                               f"({call.status_code} {call.reason})".rstrip())
        return EXIT_NOT_COMPLETED
    return 0


async def _call(settings: Settings, uri: str,
                policy: PolicyRecord | _StoredPolicy) -> tuple[CallbackOutcome, int | None]:
    loop = asyncio.get_running_loop()
    engine = await loop.run_in_executor(None, load_engine, callback_asr_config(settings))
    prompts = prompt_cache_from_settings(settings)
    options = CallbackOptions.from_settings(settings)
    database = policy.database if isinstance(policy, _StoredPolicy) else None
    pipeline = await loop.run_in_executor(
        None, lambda: pipeline_from_settings(settings, engine, database=database))
    try:
        async with Phone(sip_config(settings)) as phone:
            if isinstance(policy, _StoredPolicy):
                await asyncio.to_thread(settle_left_open, policy.database)
                stored = await run_stored_callback(phone, policy.database, policy.policy_no,
                                                   uri, pipeline, prompts, options)
                return stored.outcome, stored.call_id
            return await call_policyholder(phone, uri, policy, pipeline, prompts,
                                           options), None
    finally:
        await asyncio.to_thread(pipeline.close)
