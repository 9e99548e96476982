"""`huifang campaign run [--max-concurrent N] [--until-idle]`: the dialler, with live progress.

The calls run in worker processes (this same command with --worker), up to ivr's MAX_CALLS
(4) each, that claim attempts from the same database while this one shows the progress and
starts again a worker that crashed. SIGINT/SIGTERM: claim nothing more, let running calls end; a
second signal hangs them up. The workers ignore SIGINT (a Ctrl-C reaches the whole process
group): the run forwards each signal it gets to them as SIGTERM, so one Ctrl-C counts once.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from types import FrameType

from huifang.campaign.calendar import CalendarError
from huifang.campaign.configured import DialPlan, calling_rules, dial_plan
from huifang.campaign.progress import ProgressDisplay
from huifang.campaign.runner import CampaignRunner
from huifang.campaign.schedule import CallingRules
from huifang.campaign.start_gate import GateKeeper, Opened, StartGate
from huifang.commands.common import EXIT_BAD_INPUT, Subparsers, report_error
from huifang.commands.database_option import EXIT_DATABASE, add_db_option, db_url, open_db
from huifang.settings import Settings, get_settings, sip_config
from ivr.stack import MAX_CALLS
from storage.database import Database

LEASE_MARGIN_S = 120.0  # beyond ring + longest call: then an attempt's worker is surely gone
RTP_PORTS_PER_WORKER = 2000
MAX_RESTARTS = 10  # crashed workers started again per run, before the run gives up
START_WAIT_S = 300.0  # a worker not up by then is left behind: the others dial without it


def register(actions: Subparsers) -> None:
    """Add `campaign run`."""
    run = actions.add_parser(
        "run", help="dial the campaign's policies (live progress on stderr)",
        description="Dial pending policies by the HUIFANG_CAMPAIGN_* rules: earliest 犹豫期 "
                    "deadline first, inside the calling window, never a number twice at once. "
                    "Attempts are claimed in the database before dialling, so a killed run "
                    "resumes without dialling anyone twice.")
    run.add_argument("--max-concurrent", type=int, default=None, metavar="N",
                     help="calls at once (default HUIFANG_CAMPAIGN_MAX_CONCURRENT); above "
                          f"{MAX_CALLS} worker processes share the work")
    run.add_argument("--until-idle", action="store_true",
                     help="exit when no call runs and none is due (otherwise run until signalled)")
    run.add_argument("--idle-wait", type=float, default=0.0, metavar="S",
                     help="with --until-idle: keep running while an attempt falls due within S s")
    run.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    run.add_argument("--gate", type=Path, default=None, help=argparse.SUPPRESS)
    run.add_argument("--worker-index", type=int, default=0, help=argparse.SUPPRESS)
    add_db_option(run)
    run.set_defaults(run=run_campaign)


def run_campaign(args: argparse.Namespace) -> int:
    """Check the rules, then dial here or in worker processes."""
    settings = get_settings()
    try:
        rules = calling_rules(settings)
        plan = dial_plan(settings)
    except CalendarError as err:
        report_error("campaign settings", str(err))
        return EXIT_BAD_INPUT
    if not plan.default and not plan.routes:
        report_error("HUIFANG_CAMPAIGN_DIAL_URI", "not set: how to reach a number, e.g. "
                                                  "sip:{phone}@gateway")
        return EXIT_BAD_INPUT
    concurrent = args.max_concurrent or settings.campaign_max_concurrent
    if concurrent < 1:
        report_error("--max-concurrent", f"{concurrent}: must be at least 1")
        return EXIT_BAD_INPUT
    db = open_db(args)
    if db is None:
        return EXIT_DATABASE
    try:
        if not args.worker:  # dial in worker processes, so a crash in one is restarted
            return _run_workers(args, settings, db, concurrent)
        asyncio.run(_dial(args, settings, db, rules, plan, min(concurrent, MAX_CALLS)))
        return 0
    finally:
        db.close()


async def _dial(args: argparse.Namespace, settings: Settings, db: Database, rules: CallingRules,
                plan: DialPlan, concurrent: int) -> None:
    """Load the engine, open the phone, and run the campaign on it."""
    # Imported here: SIP, ASR and TTS load only when a campaign really dials.
    from asr.engines import load_engine
    from huifang.call_recovery import settle_left_open
    from huifang.calls.options import CallbackOptions, callback_asr_config
    from huifang.calls.pipeline import pipeline_from_settings
    from huifang.campaign.stored_place import stored_callback_placer
    from huifang.prompt_audio.configured import prompt_cache_from_settings
    from ivr.phone import Phone

    loop = asyncio.get_running_loop()
    # The same recogniser as `huifang call`: answers decoded in the short window (BENCHMARKS.md)
    engine = await loop.run_in_executor(None, load_engine, callback_asr_config(settings))
    options = CallbackOptions.from_settings(settings)
    lease = timedelta(seconds=settings.sip_ring_timeout_s + settings.callback_max_call_s
                      + options.hangup_wait_s + LEASE_MARGIN_S)
    progress = None if args.worker else ProgressDisplay(db)
    pipeline = await loop.run_in_executor(
        None, lambda: pipeline_from_settings(settings, engine, database=db))
    async with Phone(sip_config(settings)) as phone:
        await asyncio.to_thread(settle_left_open, db)  # a killed worker's calls
        place = stored_callback_placer(phone, db, pipeline,
                                       prompt_cache_from_settings(settings), options)
        runner = CampaignRunner(db, rules, plan, place, max_concurrent=concurrent, lease=lease)
        main = asyncio.current_task()
        signals = 0

        def on_signal() -> None:
            nonlocal signals
            signals += 1
            runner.stop()
            if signals > 1 and main is not None:
                main.cancel()

        if args.worker:  # the run forwards each signal it gets as SIGTERM; a Ctrl-C also
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # reaches us: it would count twice
        for sig in (signal.SIGTERM,) if args.worker else (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, on_signal)
        if args.gate is not None:
            gate = StartGate(args.gate)
            gate.ready(args.worker_index)
            await gate.wait_open(runner.stopping.is_set)
        try:
            await runner.run(until_idle=args.until_idle, idle_wait_s=args.idle_wait,
                             on_tick=progress.tick if progress else None)
        finally:
            await asyncio.to_thread(pipeline.close)
            if progress is not None:
                await asyncio.to_thread(progress.close)


def _run_workers(args: argparse.Namespace, settings: Settings, db: Database,
                 concurrent: int) -> int:
    """Start ceil(N / MAX_CALLS) workers, show progress until they all exit.

    A worker killed by a crash (a signal we did not send) is started again: the attempts it
    held are settled from their call records by the others or by its successor, so a crash
    in the SIP stack costs the calls under way, not the campaign.
    """
    shares = [MAX_CALLS] * (concurrent // MAX_CALLS)
    if concurrent % MAX_CALLS:
        shares.append(concurrent % MAX_CALLS)
    gate_dir = Path(tempfile.mkdtemp(prefix="huifang-campaign-gate-"))
    try:
        return _supervise(args, settings, db, shares, StartGate(gate_dir))
    finally:
        shutil.rmtree(gate_dir, ignore_errors=True)


def _supervise(args: argparse.Namespace, settings: Settings, db: Database, shares: list[int],
               gate: StartGate) -> int:
    """Run the workers to their end; the gate opens when all are up (see start_gate)."""
    workers = [_start_worker(args, settings, index, share, gate.directory)
               for index, share in enumerate(shares)]
    keeper = GateKeeper(gate, len(workers), START_WAIT_S)
    stopping = False
    restarts = 0

    def forward(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)  # workers ignore SIGINT (see _dial)

    def restarts_due() -> bool:
        return not stopping and restarts < MAX_RESTARTS and any(
            w.returncode is not None and w.returncode < 0 for w in workers)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
    progress = ProgressDisplay(db)
    try:
        while any(worker.poll() is None for worker in workers) or restarts_due():
            opened = keeper.check(any(worker.poll() is not None for worker in workers))
            if opened is not None:
                _tell_gate_opened(opened)
            progress.tick()
            time.sleep(0.5)
            for index, worker in enumerate(workers):
                crashed = worker.poll() is not None and worker.returncode < 0
                if crashed and not stopping and restarts < MAX_RESTARTS:
                    restarts += 1
                    report_error("campaign worker", f"died (signal {-worker.returncode}); "
                                                    "started again")
                    workers[index] = _start_worker(args, settings, index, shares[index],
                                                   gate.directory)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        progress.close()
    failed = [w.returncode for w in workers if w.returncode]
    for code in failed:
        report_error("campaign worker", f"exited with status {code}")
    return 1 if failed else 0


def _tell_gate_opened(opened: Opened) -> None:
    """One stderr line: all workers up, or (an error line) some left behind."""
    if opened.complete:
        print(f"campaign: {opened.line()}", file=sys.stderr, flush=True)
    else:
        report_error("campaign workers", opened.line())


def _start_worker(args: argparse.Namespace, settings: Settings, index: int,
                  share: int, gate: Path) -> subprocess.Popen[bytes]:
    """One worker process: its own SIP port (and RTP range), the same database."""
    command = [sys.executable, "-m", "huifang", "campaign", "run", "--worker",
               "--max-concurrent", str(share), "--db-url", db_url(args),
               "--gate", str(gate), "--worker-index", str(index)]
    if args.until_idle:
        command += ["--until-idle", "--idle-wait", str(args.idle_wait)]
    env = dict(os.environ)
    env["HUIFANG_SIP_PORT"] = str(settings.sip_port + index if settings.sip_port else 0)
    env["HUIFANG_SIP_RTP_PORT"] = str(settings.sip_rtp_port + index * RTP_PORTS_PER_WORKER)
    return subprocess.Popen(command, env=env)
