"""The schema of the misleading-sale rule file (data/misleading_sale.yaml), checked by pydantic."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from agent_assist.events import Category, Leg, Severity

_RULE_ID = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$"


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProximityCondition(_Frozen):
    """Every group must have a term within `within` characters of the first group's term."""

    groups: list[list[str]] = Field(min_length=2)
    within: int = Field(default=8, ge=1, le=40)
    # Overrides the rule's negation handling for this condition ("ignore" where the terms carry
    # the negation themselves: 没跟我说 … 分红不确定).
    negation: Literal["suppress", "ignore"] | None = None

    @field_validator("groups")
    @classmethod
    def _groups_not_empty(cls, groups: list[list[str]]) -> list[list[str]]:
        if any(not group or any(not term for term in group) for group in groups):
            raise ValueError("every group needs at least one non-empty term")
        return groups


class MisleadingSaleRule(_Frozen):
    """One real-time rule: phrases, regex patterns or proximity conditions that flag a statement."""

    id: str = Field(pattern=_RULE_ID)
    category: Category
    subcategory: str = Field(min_length=1)
    severity: Severity
    legs: list[Leg] = Field(min_length=1)
    phrases: list[str] = Field(default_factory=list)
    patterns: list[str] = Field(default_factory=list)
    near: list[ProximityCondition] = Field(default_factory=list)
    unless: list[str] = Field(default_factory=list)
    # "ignore" where the rule's own wording carries the negation (没告诉我 …, 不是我签的).
    negation: Literal["suppress", "ignore"] = "suppress"
    # "keep" where asking is itself the evidence (不知道有没有等待期).
    questions: Literal["suppress", "keep"] = "suppress"
    explanation: str = Field(min_length=1)
    suggested_wording: str = ""

    @field_validator("patterns")
    @classmethod
    def _patterns_compile(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as err:
                raise ValueError(f"pattern {pattern!r} does not compile: {err}") from err
        return patterns

    @model_validator(mode="after")
    def _has_a_trigger(self) -> MisleadingSaleRule:
        if not (self.phrases or self.patterns or self.near):
            raise ValueError("a rule needs at least one of phrases, patterns, near")
        return self


class WholeCallRule(_Frozen):
    """A rule over a whole call's utterances: an item never acknowledged, a topic raised often."""

    id: str = Field(pattern=_RULE_ID)
    kind: Literal["unacknowledged_item", "repeated_topic"]
    category: Category
    subcategory: str = Field(min_length=1)
    severity: Severity
    topic: list[str] = Field(min_length=1)
    topic_leg: Leg
    acknowledgements: list[str] = Field(default_factory=list)
    # How many customer utterances after the agent raises the item may carry the acknowledgement.
    answer_within: int = Field(default=2, ge=1)
    times: int = Field(default=3, ge=2)
    explanation: str = Field(min_length=1)
    suggested_wording: str = ""

    @model_validator(mode="after")
    def _kind_fields(self) -> WholeCallRule:
        if self.kind == "unacknowledged_item" and not self.acknowledgements:
            raise ValueError("an unacknowledged_item rule needs acknowledgements")
        return self


class RuleFile(_Frozen):
    """The whole rule file: a lexicon for homophone repair, real-time and whole-call rules."""

    version: Literal[1]
    lexicon: list[str] = Field(default_factory=list)
    rules: list[MisleadingSaleRule] = Field(min_length=1)
    whole_call_rules: list[WholeCallRule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ids_unique(self) -> RuleFile:
        seen: set[str] = set()
        for rule_id in [r.id for r in self.rules] + [r.id for r in self.whole_call_rules]:
            if rule_id in seen:
                raise ValueError(f"rule id {rule_id!r} appears twice")
            seen.add(rule_id)
        return self
