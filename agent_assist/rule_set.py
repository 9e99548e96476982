"""The loaded misleading-sale rule set: real-time rules, whole-call rules and their lexicon."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from agent_assist.rule_loader import load_model
from agent_assist.rule_schema import MisleadingSaleRule, RuleFile, WholeCallRule

DEFAULT_RULES_FILE = Path(__file__).parent / "data" / "misleading_sale.yaml"


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Validated rules ready for matching."""

    rules: tuple[MisleadingSaleRule, ...]
    whole_call_rules: tuple[WholeCallRule, ...]
    lexicon: tuple[str, ...]

    @classmethod
    def load(cls, path: Path = DEFAULT_RULES_FILE) -> RuleSet:
        """Load and validate a rule file; RuleFileError (file:line) if it is wrong."""
        return cls.from_file(load_model(path, RuleFile))

    @classmethod
    def from_file(cls, rule_file: RuleFile) -> RuleSet:
        """A rule set from an already validated rule file."""
        words = set(rule_file.lexicon)
        for rule in rule_file.rules:
            words.update(rule.phrases)
            words.update(term for cond in rule.near for group in cond.groups for term in group)
        return cls(
            rules=tuple(rule_file.rules),
            whole_call_rules=tuple(rule_file.whole_call_rules),
            lexicon=tuple(sorted(words)),
        )
