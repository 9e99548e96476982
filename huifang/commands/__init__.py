"""Sub-commands of `huifang`: each module offers `register(subparsers)` that sets `run`."""

from __future__ import annotations

from collections.abc import Callable

from huifang.commands import (
    analyze,
    attention,
    call,
    campaign,
    cases,
    classify_answer,
    db,
    demo,
    eval_asr,
    feedback,
    followups,
    kpis,
    phone_cues,
    policies,
    prompts,
    qa,
    serve,
    serve_web,
    transcribe,
    users,
    voiceprints,
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
    serve.register,
    phone_cues.register,
    attention.register,
    users.register,
    serve_web.register,
    campaign.register,
    cases.register,
    followups.register,
    qa.register,
    feedback.register,
    kpis.register,
    demo.register,
    voiceprints.register,
]
