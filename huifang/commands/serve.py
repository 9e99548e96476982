"""`huifang serve`: answer inbound calls with the callback script of the caller's policy."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
from typing import TextIO

from asr.engines import load_engine
from asr.errors import AsrError
from huifang.call_recovery import settle_left_open, settle_other_nodes
from huifang.calls.inbound import InboundCall, inbound_json
from huifang.calls.options import CallbackOptions, callback_asr_config
from huifang.calls.pipeline import pipeline_from_settings
from huifang.calls.switchboard import LineConfig, Switchboard
from huifang.commands.common import EXIT_BAD_INPUT, Subparsers, report_error
from huifang.commands.database_option import EXIT_DATABASE, add_db_option, open_db
from huifang.prompt_audio.configured import prompt_cache_from_settings
from huifang.settings import Settings, get_settings, sip_config
from ivr.phone import Phone
from storage.database import Database


def register(sub: Subparsers) -> None:
    """Add the `serve` sub-command."""
    parser = sub.add_parser(
        "serve", help="answer inbound calls with the caller's callback script",
        description="Answer calls on HUIFANG_SIP_PORT. The caller's number picks the policy "
                    "(of several: the nearest 犹豫期 deadline not yet passed, a policy not yet "
                    "called back first; when all have passed, the newest) and its callback "
                    "script runs; a number holding no "
                    "policy hears HUIFANG_CALLBACK_UNKNOWN_CALLER_PROMPT and is hung up on, or "
                    "transferred to HUIFANG_CALLBACK_TRANSFER_URI. Up to HUIFANG_SERVE_MAX_CALLS "
                    "calls at once (counted from the SIP stack's own call slots); one more is "
                    "refused with 486 Busy Here and stored. Every call is stored "
                    "as an inbound call and printed as one JSON line when it ends. SIGINT or "
                    "SIGTERM hangs up the calls in progress, stores them and exits 0.")
    add_db_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Serve until SIGINT/SIGTERM; 0 then, 1 when the database cannot open, 2 for the engine."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="huifang serve: %(levelname)s %(name)s: %(message)s")
    database = open_db(args)
    if database is None:
        return EXIT_DATABASE
    try:
        asyncio.run(_serve(get_settings(), database, _json_lines()))
    except AsrError as err:
        report_error("engine", str(err))
        return EXIT_BAD_INPUT
    finally:
        database.close()
    return 0


def _json_lines() -> TextIO:
    """stdout for the JSON lines alone: pjlib prints its first log lines to fd 1 before its
    log level applies, so fd 1 now goes to stderr and the JSON to a copy of the old fd 1."""
    sys.stdout.flush()
    out = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    return out


async def _serve(settings: Settings, database: Database, out: TextIO) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    engine = await loop.run_in_executor(None, load_engine, callback_asr_config(settings))
    pipeline = await loop.run_in_executor(
        None, lambda: pipeline_from_settings(settings, engine, database=database))
    line = LineConfig(settings.serve_max_calls, settings.callback_unknown_caller_prompt)
    try:
        async with Phone(sip_config(settings)) as phone:
            await asyncio.to_thread(settle_left_open, database)  # recordings repaired by now
            board = Switchboard(phone, database, pipeline, prompt_cache_from_settings(settings),
                                CallbackOptions.from_settings(settings), line,
                                lambda result: _print_call(result, out))
            print(f"huifang serve: listening on {phone.uri()} ({settings.sip_transport}), "
                  f"{line.max_calls} calls at once", file=sys.stderr, flush=True)
            sweep = asyncio.create_task(_sweep_dead_nodes(database, settings.node_sweep_s))
            try:
                await board.serve(stop)
            finally:
                sweep.cancel()
            refused = ", ".join(f"{reason} {count}" for reason, count in phone.refused.items())
    finally:
        await asyncio.to_thread(pipeline.close)
    print(f"huifang serve: stopped; INVITEs refused: {refused or 'none'}", file=sys.stderr,
          flush=True)


async def _sweep_dead_nodes(database: Database, every_s: float) -> None:
    """Now and then, settle the calls of nodes that died as a whole (PostgreSQL only)."""
    if every_s <= 0 or database.engine.dialect.name != "postgresql":
        return
    while True:
        await asyncio.sleep(every_s)
        try:
            await asyncio.to_thread(settle_other_nodes, database)
        except Exception:  # a database hiccup must not end the calls being served
            logging.getLogger(__name__).exception("settling dead nodes' calls failed")


def _print_call(result: InboundCall, out: TextIO) -> None:
    print(json.dumps(inbound_json(result), ensure_ascii=False), file=out, flush=True)
