"""`huifang serve-web`: the web screens and API under uvicorn."""

from __future__ import annotations

import argparse

import uvicorn

from huifang.commands.common import Subparsers
from huifang.settings import get_settings
from huifang.web.app import create_app


def register(sub: Subparsers) -> None:
    """Add the `serve-web` sub-command."""
    parser = sub.add_parser("serve-web", help="serve the web screens and API")
    parser.add_argument("--host", default=None, help="address (default: HUIFANG_WEB_HOST)")
    parser.add_argument("--port", type=int, default=None, help="port (default: HUIFANG_WEB_PORT)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted."""
    settings = get_settings()
    host: str = args.host or settings.web_host
    port: int = args.port if args.port is not None else settings.web_port
    uvicorn.run(create_app(), host=host, port=port, log_level="info")
    return 0
