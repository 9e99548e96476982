"""`huifang serve-web`: the web screens and API under uvicorn."""

from __future__ import annotations

import argparse
import platform
import sys

import uvicorn

from huifang.calls.bus import InProcessEventBus
from huifang.calls.desk import LiveDesk
from huifang.calls.pg_bus import PostgresEventBus
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
    # One bus: the desk publishes, the screens subscribe; across nodes through PostgreSQL.
    bus: InProcessEventBus | PostgresEventBus = InProcessEventBus()
    if settings.event_bus == "postgres":
        try:
            bus = PostgresEventBus(settings.db_url, settings.node_name or platform.node())
            bus.start()
        except (ValueError, ConnectionError) as err:
            print(f"huifang serve-web: {err}", file=sys.stderr)
            return 2
    app = create_app(bus, LiveDesk(settings, bus) if args.live else None)
    try:
        uvicorn.run(app, host=host, port=port, log_level="info")
    finally:
        if isinstance(bus, PostgresEventBus):
            bus.close()
    return 0
