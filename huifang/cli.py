"""The `huifang` command: one sub-command per module in huifang/commands/."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from pydantic import ValidationError
from pydantic_settings import SettingsError

from agent_assist.voiceprint_pseudonyms import VoiceprintKeyError
from huifang.commands import COMMANDS, register
from huifang.commands.common import EXIT_BAD_INPUT, report_error
from huifang.log_masking import install_log_masking
from ivr.errors import SipStartError


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser with one sub-command (when it is known), else all of them."""
    parser = argparse.ArgumentParser(prog="huifang", description="huifang (回访) callback service")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    register(sub, [command] if command in COMMANDS else None)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one sub-command; its return value is the exit status."""
    install_log_masking()  # before any command logs: no personal number reaches a log
    words = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(words[0] if words else None).parse_args(words)
    try:
        status: int = args.run(args)
    except KeyboardInterrupt:
        return 130
    except SipStartError as err:  # e.g. HUIFANG_SIP_PORT taken by another program
        report_error("SIP endpoint", str(err))
        return EXIT_BAD_INPUT
    except VoiceprintKeyError as err:  # a call process opening voiceprints of another key
        report_error("voiceprints", str(err))
        return EXIT_BAD_INPUT
    except SettingsError as err:  # a HUIFANG_* value that is not even its type's syntax
        report_error("settings", str(err))
        return EXIT_BAD_INPUT
    except ValidationError as err:
        if err.title != "Settings":  # another model's: a bug, with its traceback
            raise
        report_error("settings", settings_problems(err))
        return EXIT_BAD_INPUT
    return status


def settings_problems(err: ValidationError) -> str:
    """Each bad HUIFANG_* variable and what is wrong with it, on one line."""
    return "; ".join(f"HUIFANG_{'_'.join(str(part) for part in problem['loc']).upper()}: "
                     f"{problem['msg']}" for problem in err.errors())


if __name__ == "__main__":
    sys.exit(main())
