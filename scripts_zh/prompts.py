"""Prompt text as spoken: placeholders filled from the policy, YAML line folds removed."""

from __future__ import annotations

import re

from scripts_zh.policy import PolicyRecord, prompt_values

# A folded YAML scalar joins lines with a space; between Chinese sentences it is noise for TTS.
_FOLD_SPACE_RE = re.compile(r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])\s+")


def render_prompt(text: str, policy: PolicyRecord) -> str:
    """The text to speak for this policy."""
    return spoken_text(text.format_map(prompt_values(policy)))


def spoken_text(text: str) -> str:
    """Filled prompt text as spoken: YAML line folds between Chinese sentences removed."""
    return _FOLD_SPACE_RE.sub("", text).strip()
