"""Sub-commands of `huifang`: each module offers `register(subparsers)` that sets `run`.

Modules are imported only when their command runs (all of them for `--help`): each pulls in
its own stage's libraries, so `huifang policies import` does not load pjsua2, the speech
stack or the web framework (a 100 000-row import stays in flat, small memory).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable

from huifang.commands.common import Subparsers

# Sub-command → module under huifang/commands/; add a line here to add a sub-command.
COMMANDS: dict[str, str] = {
    "transcribe": "transcribe",
    "eval-asr": "eval_asr",
    "analyze": "analyze",
    "classify-answer": "classify_answer",
    "db": "db",
    "policies": "policies",
    "prompts": "prompts",
    "call": "call",
    "serve": "serve",
    "phone-cues": "phone_cues",
    "attention": "attention",
    "users": "users",
    "serve-web": "serve_web",
    "campaign": "campaign",
    "cases": "cases",
    "followups": "followups",
    "qa": "qa",
    "feedback": "feedback",
    "kpis": "kpis",
    "demo": "demo",
    "voiceprints": "voiceprints",
    "cluster": "cluster",
    "hold": "holds",
    "purge": "purge",
}


def register(sub: Subparsers, names: Iterable[str] | None = None) -> None:
    """Register these sub-commands (default: all, in the table's order)."""
    for name in COMMANDS if names is None else names:
        module = importlib.import_module(f"huifang.commands.{COMMANDS[name]}")
        module.register(sub)
