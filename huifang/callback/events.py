"""The events of one automated callback: the packages' own event types, plus prompt playback."""

from __future__ import annotations

from dataclasses import dataclass

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


# VadEvents are kept without audio: the recording holds the audio.
SessionEvent = DialogueEvent | Transcript | VadEvent | DtmfDigit | CallEnded | PromptPlayed
