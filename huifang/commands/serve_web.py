"""`huifang serve-web`: the web screens and API under uvicorn."""

from __future__ import annotations

import argparse

import uvicorn

from huifang.calls.bus import InProcessEventBus
from huifang.calls.desk import LiveDesk
from huifang.commands.common import Subparsers
from huifang.settings import get_settings
from huifang.web.app import create_app


def register(sub: Subparsers) -> None:
    """Add the `serve-web` sub-command."""
    parser = sub.add_parser("serve-web", help="serve the web screens and API")
    parser.add_argument("--host", default=None, help="address (default: HUIFANG_WEB_HOST)")
    parser.add_argument("--port", type=int, default=None, help="port (default: HUIFANG_WEB_PORT)")
    parser.add_argument("--live", action="store_true",
                        help="also start the SIP endpoint (HUIFANG_SIP_*) and Whisper, so agents "
                             "can start bridged callbacks and take robot callbacks' 转人工")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted."""
    settings = get_settings()
    host: str = args.host or settings.web_host
    port: int = args.port if args.port is not None else settings.web_port
    bus = InProcessEventBus()  # one bus: the desk publishes, the screens subscribe
    app = create_app(bus, LiveDesk(settings, bus) if args.live else None)
    uvicorn.run(app, host=host, port=port, log_level="info")
    return 0
