"""The `huifang` command: one sub-command per module in huifang/commands/."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from huifang.commands import COMMANDS
from huifang.commands.common import EXIT_BAD_INPUT, report_error
from huifang.log_masking import install_log_masking
from ivr.errors import SipStartError


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered sub-command."""
    parser = argparse.ArgumentParser(prog="huifang", description="huifang (回访) callback service")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in COMMANDS:
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one sub-command; its return value is the exit status."""
    install_log_masking()  # before any command logs: no personal number reaches a log
    args = build_parser().parse_args(argv)
    try:
        status: int = args.run(args)
    except KeyboardInterrupt:
        return 130
    except SipStartError as err:  # e.g. HUIFANG_SIP_PORT taken by another program
        report_error("SIP endpoint", str(err))
        return EXIT_BAD_INPUT
    return status


if __name__ == "__main__":
    sys.exit(main())
