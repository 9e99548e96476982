"""The closed vocabulary of what a customer's short answer means."""

from __future__ import annotations

from enum import StrEnum


class AnswerClass(StrEnum):
    """What a spoken or keyed answer to a callback question means."""

    AFFIRMATIVE = "affirmative"
    NEGATIVE = "negative"
    UNSURE = "unsure"
    QUESTION = "question"
    HUMAN = "human"
    SURRENDER_OR_COMPLAINT = "surrender_or_complaint"
    OTHER = "other"
