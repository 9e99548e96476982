"""Events the live screen gets besides the packages' own: the agent's marks, notes, cases."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ItemState(StrEnum):
    """Where one script item stands on the agent screen."""

    ASKED = "asked"
    CONFIRMED = "confirmed"
    PROBLEM = "problem"


@dataclass(frozen=True)
class ItemMarked:
    """The agent marked a script item (坐席标记)."""

    step_id: str
    state: ItemState
    by: str  # username


@dataclass(frozen=True)
class AgentNote:
    """The agent wrote a note on the call."""

    text: str
    by: str


@dataclass(frozen=True)
class ProblemCaseRaised:
    """The agent raised a problem case (问题件) on the call."""

    case_id: int
    step_id: str | None
    note: str
    by: str


@dataclass(frozen=True)
class CallStatus:
    """How far a live call has got: dialling the agent, the customer, bridged, ended."""

    stage: str
    detail: str = ""


AgentEvent = ItemMarked | AgentNote | ProblemCaseRaised | CallStatus
