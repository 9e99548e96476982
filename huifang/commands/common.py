"""What the sub-commands share: the subparsers type and one-line error reporting."""

from __future__ import annotations

import argparse
import sys
from typing import TypeAlias

from zhtext.personal_numbers import mask_personal_numbers

Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"

# Exit status of a command that met bad input (after processing everything else it could).
EXIT_BAD_INPUT = 2


def report_error(where: str, problem: str) -> None:
    """Print one line naming the input and what is wrong with it to stderr, personal numbers
    masked (an operator's terminal and the logs that capture it are outward paths too)."""
    line = mask_personal_numbers(f"{where}: {problem}")
    print(f"huifang: error: {line}", file=sys.stderr, flush=True)
