"""The call pipeline's own events, beside the packages' (asr's Transcript, scripts_zh's dialogue
events, agent_assist's Flag, Hint and VoiceCue): prompt playback, how far a call has got, and
what an agent does on the live screen. `CallEvent` is everything the event bus carries."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from agent_assist.events import Flag, Hint, VoiceCue
from asr.events import Transcript
from asr.vad import VadEvent
from ivr.events import CallEnded, DtmfDigit
from ivr.prompt import PromptEnd
from scripts_zh.dialogue_events import DialogueEvent, PromptPurpose


@dataclass(frozen=True)
class PromptPlayed:
    """A prompt as the customer heard it: when it started and ended, and why it ended."""

    text: str
    purpose: PromptPurpose
    step_id: str | None
    wav: str
    started_ms: int  # call-audio time (the customer leg's sample clock)
    ended_ms: int
    end: PromptEnd  # STOPPED is a barge-in (or the call moving on), CALL_ENDED a hang-up


# What a scripted (robot) session records; VadEvents without audio (the recording holds it).
SessionEvent = DialogueEvent | Transcript | VadEvent | DtmfDigit | CallEnded | PromptPlayed


class CallStage(StrEnum):
    """How far a call has got, as the agent screen shows it."""

    DIALLING_AGENT = "dialling_agent"
    DIALLING_CUSTOMER = "dialling_customer"
    ROBOT = "robot"  # the script runs; nobody is on the call yet
    BRIDGED = "bridged"
    NO_FREE_AGENT = "no_free_agent"
    ENDED = "ended"


@dataclass(frozen=True)
class CallStatus:
    """A call reached a stage; `detail` names who is dialled, or how the call ended."""

    stage: CallStage
    detail: str = ""


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


AgentEvent = ItemMarked | AgentNote | ProblemCaseRaised | CallStatus
# Everything the event bus carries to the agent screen.
CallEvent = Transcript | Hint | Flag | VoiceCue | DialogueEvent | AgentEvent
