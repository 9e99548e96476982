"""The pydantic schema of callback script files (回访话术 YAML) and the script they compose."""

from __future__ import annotations

import string
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from scripts_zh.policy import PROMPT_FIELDS, PolicyRecord, ProductFamily

StepId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
PromptText = Annotated[str, Field(min_length=2)]


class AnswerKind(StrEnum):
    """What a step expects: a yes, a no (did the salesperson promise …?), or identity data."""

    CONFIRM = "confirm"
    DENY = "deny"
    IDENTITY_NAME = "identity_name"  # a yes, unless the answer names someone else
    IDENTITY_RECORD = "identity_record"


class Condition(StrEnum):
    """When a step applies to a policy."""

    REGULAR_PREMIUM = "regular_premium"


class ProblemKind(StrEnum):
    """What a gap on a step suggests (人身保险销售误导行为认定指引 and process violations)."""

    IDENTITY = "identity"
    PROCESS = "process"
    CONCEALMENT = "concealment"
    INDUCEMENT = "inducement"
    DECEPTION = "deception"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_placeholders(text: str) -> str:
    """Only policy fields may appear in braces, so a prompt never renders with a hole."""
    for _, name, _, _ in string.Formatter().parse(text):
        if name is not None and name not in PROMPT_FIELDS:
            known = ", ".join(sorted(PROMPT_FIELDS))
            raise ValueError(f"unknown placeholder {{{name}}}; known: {known}")
    return text


class ScriptStep(_Strict):
    """One question of the callback with its prompt, expected answer and explanations."""

    id: StepId
    item: int | None = Field(default=None, ge=1, le=7)  # which of the seven items, if any
    topic: str
    prompt: PromptText
    expects: AnswerKind = AnswerKind.CONFIRM
    retries: int = Field(default=1, ge=0, le=3)
    explanations: tuple[PromptText, ...] = ()
    when: Condition | None = None
    problem_kind: ProblemKind
    # False keeps a question playing to its end even when the customer starts talking.
    barge_in: bool = True

    @field_validator("prompt")
    @classmethod
    def _prompt_placeholders(cls, text: str) -> str:
        return _check_placeholders(text)

    @field_validator("explanations")
    @classmethod
    def _explanation_placeholders(cls, texts: tuple[str, ...]) -> tuple[str, ...]:
        for text in texts:
            _check_placeholders(text)
        return texts


class ScriptMessages(_Strict):
    """Prompts outside the steps: opening, retries, transfers and the closings."""

    opening: PromptText
    keypad_hint: PromptText
    retry: PromptText
    explain_intro: PromptText
    transfer_to_human: PromptText
    surrender_or_complaint: PromptText
    question_noted: PromptText
    not_policyholder: PromptText
    identity_failed: PromptText
    no_response: PromptText
    closing_confirmed: PromptText
    closing_with_problems: PromptText

    @field_validator("*")
    @classmethod
    def _placeholders(cls, text: str) -> str:
        return _check_placeholders(text)


class StepLibraryFile(_Strict):
    """The shared steps and messages every family composes (written once)."""

    kind: Literal["step_library"]
    version: str
    messages: ScriptMessages
    steps: tuple[ScriptStep, ...]


class StepOverride(_Strict):
    """A library step used with family-specific wording (分红: 红利不确定)."""

    use: StepId
    prompt: PromptText | None = None
    explanations: tuple[PromptText, ...] | None = None

    @field_validator("prompt")
    @classmethod
    def _prompt_placeholders(cls, text: str | None) -> str | None:
        return None if text is None else _check_placeholders(text)


class FamilyScriptFile(_Strict):
    """A product family's script: which library steps in which order, with overrides."""

    kind: Literal["family_script"]
    family: ProductFamily
    script_id: StepId
    version: str
    steps: tuple[StepId | StepOverride, ...] = Field(min_length=1)
    extra_steps: tuple[ScriptStep, ...] = ()


class Insertion(_Strict):
    """Where a variant puts its extra steps: after a named step, or before the closing."""

    after: StepId | None = None
    steps: tuple[StepId, ...] = Field(min_length=1)


class ScriptVariantFile(_Strict):
    """A stricter variant (特别关注) laid over every family's script."""

    kind: Literal["variant"]
    variant: StepId
    version: str
    explained_item_is_problem: bool = False
    steps: tuple[ScriptStep, ...]
    insertions: tuple[Insertion, ...] = Field(min_length=1)


ScriptFile = Annotated[
    StepLibraryFile | FamilyScriptFile | ScriptVariantFile, Field(discriminator="kind")
]


@dataclass(frozen=True)
class CallbackScript:
    """A composed, versioned script for one product family (and maybe a variant)."""

    family: ProductFamily
    script_id: str
    version: str  # family version + library version (+ variant version)
    variant: str | None
    messages: ScriptMessages
    steps: tuple[ScriptStep, ...]
    explained_item_is_problem: bool = False

    def step(self, step_id: str) -> ScriptStep:
        """The step with this id."""
        return next(step for step in self.steps if step.id == step_id)


def step_applies(step: ScriptStep, policy: PolicyRecord) -> bool:
    """Whether a conditional step (item 7 only for regular premiums) applies to the policy."""
    return step.when is not Condition.REGULAR_PREMIUM or policy.regular_premium
