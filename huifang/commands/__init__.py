"""Sub-commands of `huifang`: each module offers `register(subparsers)` that sets `run`."""

from __future__ import annotations

from collections.abc import Callable

from huifang.commands import (
    analyze,
    call,
    classify_answer,
    db,
    eval_asr,
    phone_cues,
    policies,
    prompts,
    serve_web,
    transcribe,
    users,
)
from huifang.commands.common import Subparsers

# Add a module's `register` here to add a sub-command.
COMMANDS: list[Callable[[Subparsers], None]] = [
    transcribe.register,
    eval_asr.register,
    analyze.register,
    classify_answer.register,
    db.register,
    policies.register,
    prompts.register,
    call.register,
    phone_cues.register,
    users.register,
    serve_web.register,
]
