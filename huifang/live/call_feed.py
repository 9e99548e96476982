"""What one live call shows the agent: transcripts, script item states, flags and hints.

Every event goes out through `publish(call_id, event)` (the web app's CallEventBus.publish,
safe from any thread); final utterances of either leg go through the call's CallAssistant,
whose flags are kept for storage when the call ends.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from agent_assist.engine import AssistFactory, CallAssistant
from agent_assist.events import Flag, Hint
from asr.events import Transcript, TranscriptKind
from huifang.callback.events import PromptPlayed, SessionEvent
from huifang.live.events import AgentEvent
from huifang.web.event_bus import LiveEvent
from scripts_zh.dialogue_events import (
    AnswerHeard,
    ItemConfirmed,
    ProblemItem,
    Prompt,
    SurrenderOrComplaint,
    TransferToHuman,
)
from scripts_zh.dialogue_events import CallEnded as DialogueEnded

Publish = Callable[[int, LiveEvent], None]
# Dialogue events the screen shows: an ASK prompt marks its item asked, the rest its outcome.
_SHOWN_DIALOGUE = (Prompt, AnswerHeard, ItemConfirmed, ProblemItem, SurrenderOrComplaint,
                   TransferToHuman, DialogueEnded)


class LiveCallFeed:
    """One call's live events, from either leg's recogniser or an automated callback session."""

    def __init__(self, call_id: int, publish: Publish, assist: AssistFactory) -> None:
        self.call_id = call_id
        self._publish = publish
        self._lock = threading.Lock()  # legs may deliver from different threads
        self._flags: list[Flag] = []
        self._assistant: CallAssistant = assist.new_call(self._emit)

    def on_transcript(self, result: Transcript) -> None:
        """A partial or final of one leg: shown at once; a final is analysed."""
        self._publish(self.call_id, result)
        if result.is_final and result.text:
            with self._lock:
                self._assistant.on_utterance(result)

    def on_session_event(self, event: SessionEvent) -> None:
        """An automated callback's event: its customer transcripts, its prompts as the agent
        leg's words, and the dialogue's item states."""
        if isinstance(event, Transcript):
            self.on_transcript(event)
        elif isinstance(event, PromptPlayed):
            said = Transcript(TranscriptKind.FINAL, event.text, event.started_ms / 1000,
                              event.ended_ms / 1000, "agent")
            self.on_transcript(said)
        elif isinstance(event, _SHOWN_DIALOGUE):
            # An ASK prompt marks its item asked on the screen; its words come as PromptPlayed.
            self._publish(self.call_id, event)

    def show(self, event: AgentEvent) -> None:
        """Publish one of the screen's own events (call status, an agent's mark)."""
        self._publish(self.call_id, event)

    def end(self) -> tuple[list[Flag], list[Flag]]:
        """The call is over: (real-time flags raised, whole-call flags now added)."""
        with self._lock:
            live = list(self._flags)
            whole_call = self._assistant.end_call()
        return live, whole_call

    def _emit(self, event: Flag | Hint) -> None:
        if isinstance(event, Flag):
            self._flags.append(event)
        self._publish(self.call_id, event)
