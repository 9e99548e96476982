"""`huifang call SIP_URI --policy-json FILE`: one automated callback, its outcome as JSON."""

from __future__ import annotations

import argparse
import asyncio
import json
import re
from pathlib import Path

from asr.engines import load_engine
from asr.errors import AsrError
from huifang.callback.dialer import call_policyholder
from huifang.callback.options import CallbackOptions
from huifang.callback.outcome import CallbackOutcome, outcome_json
from huifang.callback.policy_input import PolicyInputError, policy_from_json
from huifang.commands.common import EXIT_BAD_INPUT, Subparsers, report_error
from huifang.prompt_audio.configured import prompt_cache_from_settings
from huifang.settings import Settings, asr_config, get_settings
from ivr.call_leg import DialError
from ivr.config import SipConfig
from ivr.phone import Phone
from scripts_zh.policy import PolicyRecord

EXIT_NOT_COMPLETED = 1  # the outcome is printed, but nobody took the call (or it failed)
_SIP_URI = re.compile(r"^sips?:([^@\s;]+@)?[A-Za-z0-9.\-\[\]:]+(;[^\s]*)?$")


def register(sub: Subparsers) -> None:
    """Add the `call` sub-command."""
    parser = sub.add_parser("call", help="run one automated callback (预回访) over SIP")
    parser.add_argument("uri", metavar="SIP_URI", help="whom to call, e.g. sip:13800000000@pbx")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--policy-json", type=Path, help="the policy record as a JSON object")
    source.add_argument("--policy", metavar="NO", help="policy number in the policy store")
    parser.add_argument("--events", action="store_true", help="include every event of the call")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Exit 0 when the call ran its script, 1 when it did not connect, 2 on bad input."""
    if not _SIP_URI.match(args.uri):
        report_error(args.uri, "not a SIP URI (sip:user@host[:port])")
        return EXIT_BAD_INPUT
    try:
        policy = _policy(args)
    except PolicyInputError as err:
        report_error("policy", str(err))
        return EXIT_BAD_INPUT
    settings = get_settings()
    try:
        outcome = asyncio.run(_call(settings, args.uri, policy))
    except AsrError as err:
        report_error("engine", str(err))
        return EXIT_BAD_INPUT
    except DialError as err:
        report_error(args.uri, str(err))
        return EXIT_BAD_INPUT
    print(json.dumps(outcome_json(outcome, with_events=args.events), ensure_ascii=False),
          flush=True)
    if not outcome.completed:
        call = outcome.call
        report_error(args.uri, f"call not completed: {call.outcome} "
                               f"({call.status_code} {call.reason})".rstrip())
        return EXIT_NOT_COMPLETED
    return 0


def _policy(args: argparse.Namespace) -> PolicyRecord:
    if args.policy_json is not None:
        return policy_from_json(args.policy_json)
    # The policy store (storage/) is being built; this is where `--policy NO` will look.
    raise PolicyInputError(f"--policy {args.policy}: the policy store is not wired to"
                           " `huifang call` yet; pass --policy-json")


async def _call(settings: Settings, uri: str, policy: PolicyRecord) -> CallbackOutcome:
    loop = asyncio.get_running_loop()
    engine = await loop.run_in_executor(None, load_engine, asr_config(settings))
    prompts = prompt_cache_from_settings(settings)
    async with Phone(SipConfig.from_settings(settings)) as phone:
        return await call_policyholder(phone, uri, policy, engine, prompts,
                                       CallbackOptions.from_settings(settings))
