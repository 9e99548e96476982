"""`huifang demo`: the web app, a live desk and one scripted callback to watch, on the defaults."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import TextIO

from asr.errors import AsrError
from huifang.commands.common import EXIT_BAD_INPUT, Subparsers, report_error
from huifang.demo.run import DemoOptions, PortBusyError, run_demo
from huifang.demo.softphone_process import SoftphoneError
from huifang.settings import get_settings


def register(sub: Subparsers) -> None:
    """Add the `demo` sub-command."""
    parser = sub.add_parser(
        "demo", help="serve the screens and place one live callback to watch",
        description="Start the web app on a fresh demo database (var/demo/demo.db) with the "
                    "demo policy and three logins (printed), start huifang's SIP endpoint and "
                    "two scripted softphones on 127.0.0.1 (the agent's and the policyholder's, "
                    "speaking recorded lines, one of them a misleading-sale statement), then "
                    "ring the agent, dial the customer and bridge them. The agent screen shows "
                    "the call live; the review console shows its flags once it ends.")
    parser.add_argument("--host", default="127.0.0.1", help="web address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=None, help="web port (HUIFANG_WEB_PORT)")
    parser.add_argument("--delay", type=float, default=20.0, metavar="S",
                        help="seconds to open the agent screen before the call starts")
    parser.add_argument("--once", action="store_true",
                        help="exit once the call is stored, rather than serve until Ctrl-C")
    parser.add_argument("--handover", action="store_true",
                        help="a robot callback instead: the customer asks for a person (转人工) "
                             "and the robot hands the call to the demo agent's softphone")
    parser.add_argument("--var-dir", type=Path, default=Path("var/demo"),
                        help="where the demo database and recordings go (default var/demo)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run the demo; 2 when the port is busy or the speech model cannot load."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr,
                        format="huifang demo: %(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    port: int = args.port if args.port is not None else settings.web_port
    options = DemoOptions(args.host, port, args.var_dir, args.delay, args.once, args.handover)
    out = _own_stdout()
    try:
        return run_demo(settings, options, lambda text: print(text, file=out, flush=True))
    except PortBusyError as err:
        report_error("--port", str(err))
    except AsrError as err:
        report_error("speech model", str(err))
    except SoftphoneError as err:
        report_error("demo softphone", str(err))
        return 1
    except KeyboardInterrupt:
        return 0
    return EXIT_BAD_INPUT


def _own_stdout() -> TextIO:
    """stdout for the demo's lines alone: pjlib prints its first log lines to fd 1 before its
    log level applies, so fd 1 now goes to stderr and the demo writes to a copy of the old fd 1."""
    sys.stdout.flush()
    out = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)
    return out
