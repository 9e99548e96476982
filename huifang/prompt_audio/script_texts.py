"""Every prompt text a callback script can make the dialogue say, for pre-rendering.

Mirrors how scripts_zh.dialogue composes prompts (each piece filled, then joined); a text
missed here is still rendered on demand during the call, only a little later.
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from dataclasses import dataclass

from scripts_zh.dialogue_events import PromptPurpose
from scripts_zh.policy import PolicyRecord
from scripts_zh.prompts import render_prompt, spoken_text
from scripts_zh.script_schema import AnswerKind, CallbackScript


@dataclass(frozen=True)
class PromptTemplate:
    """A prompt as the dialogue joins it from script pieces, placeholders still in braces."""

    pieces: tuple[str, ...]
    purpose: PromptPurpose
    step_id: str | None = None

    @property
    def needs_policy(self) -> bool:
        """Whether a piece names a policy field ({holder_name} …)."""
        return any(name is not None for piece in self.pieces
                   for _, name, _, _ in string.Formatter().parse(piece))

    def text(self, policy: PolicyRecord | None) -> str:
        """The spoken text; without a policy only for templates that need none."""
        if policy is None:
            if self.needs_policy:
                raise ValueError("this prompt names policy fields: a policy is needed")
            return "".join(spoken_text(piece.format_map({})) for piece in self.pieces)
        return "".join(render_prompt(piece, policy) for piece in self.pieces)


def script_templates(script: CallbackScript) -> list[PromptTemplate]:
    """Opening, every step's ask / retry / explanation, notices and closings."""
    return list(dict.fromkeys(_templates(script)))  # one entry per distinct template


def _templates(script: CallbackScript) -> Iterator[PromptTemplate]:
    m = script.messages
    yield PromptTemplate((m.opening,), PromptPurpose.OPENING)
    for step in script.steps:
        ask = (step.prompt,) if step.expects is AnswerKind.IDENTITY_RECORD else (
            step.prompt, m.keypad_hint)
        yield PromptTemplate(ask, PromptPurpose.ASK, step.id)
        yield PromptTemplate((m.retry, *ask), PromptPurpose.RETRY, step.id)
        if step.explanations:
            yield PromptTemplate((m.explain_intro, *step.explanations), PromptPurpose.EXPLAIN,
                                 step.id)
    for notice in (m.transfer_to_human, m.surrender_or_complaint, m.question_noted):
        yield PromptTemplate((notice,), PromptPurpose.NOTICE)
    for closing in (m.not_policyholder, m.identity_failed, m.no_response,
                    m.closing_confirmed, m.closing_with_problems):
        yield PromptTemplate((closing,), PromptPurpose.CLOSING)
