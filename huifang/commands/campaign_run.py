"""`huifang campaign run`: placeholder until the dialler lands."""

from __future__ import annotations

from huifang.commands.common import Subparsers


def register(actions: Subparsers) -> None:
    """Add `campaign run`."""
