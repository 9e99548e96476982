"""What a customer asked for in an answer, beyond the item: surrender (退保), a complaint
(投诉), or a strong complaint (强烈抱怨). Pure: text in, kinds out."""

from __future__ import annotations

from enum import StrEnum

from scripts_zh import answer_lexicon as lex
from scripts_zh.answer_classifier import answer_clauses


class RequestKind(StrEnum):
    """What the customer's words ask of the centre."""

    SURRENDER = "surrender"  # goes to policy service (保全)
    COMPLAINT = "complaint"  # 电话投诉: the complaint workflow
    STRONG_COMPLAINT = "strong_complaint"  # 强烈抱怨: the complaint workflow too


def request_kinds(text: str) -> frozenset[RequestKind]:
    """The requests one answer makes (none for an ordinary answer or question)."""
    joined = "".join(clause.chars for clause in answer_clauses(text))
    found: set[RequestKind] = set()
    if any(rule.search(joined) for rule in lex.SURRENDER_REQUEST_RES):
        found.add(RequestKind.SURRENDER)
    if any(rule.search(joined) for rule in lex.COMPLAINT_RES):
        found.add(RequestKind.COMPLAINT)
    elif lex.STRONG_COMPLAINT_RE.search(joined):
        found.add(RequestKind.STRONG_COMPLAINT)
    return frozenset(found)
