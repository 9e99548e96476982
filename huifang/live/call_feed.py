"""What one live call shows the agent: transcripts, script item states, flags and hints.

Every event goes out through `publish(call_id, event)` (the web app's CallEventBus.publish,
safe from any thread); final utterances of either leg go through the call's CallAssistant,
whose flags are kept for storage when the call ends. Where the engine gives partials, they
are checked by the same rules as they come, so a hint can reach the agent before the customer
has finished the sentence; the final then replaces the early flag's evidence, without
showing the hint twice.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from agent_assist.engine import AssistFactory, CallAssistant
from agent_assist.events import Flag, Hint, as_utterance
from agent_assist.hints import hint_for
from agent_assist.misleading_sale import MisleadingSaleDetector
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
        self._flags: dict[FlagKey, Flag] = {}  # what to store: one flag per rule and utterance
        self._shown: set[tuple[FlagKey, str]] = set()  # (key, "Flag"/"Hint") on the screen
        self._detector: MisleadingSaleDetector = assist.detector
        self._assistant: CallAssistant = assist.new_call(self._emit)
        self._whole_call = False
        self._heard: list[Transcript] = []  # the finals, as the agent saw them: stored

    @property
    def heard(self) -> tuple[Transcript, ...]:
        """Every final so far: the live transcript."""
        with self._lock:
            return tuple(self._heard)

    def on_transcript(self, result: Transcript) -> None:
        """A partial or final of one leg: shown at once, and analysed."""
        self._publish(self.call_id, result)
        if result.is_final:
            with self._lock:
                self._heard.append(result)
        if not result.text:
            return
        with self._lock:
            if result.is_final:
                self._assistant.on_utterance(result)
            else:
                self._early_flags(result)

    def _early_flags(self, partial: Transcript) -> None:
        """The rules over a partial: a flag not yet raised on this utterance is shown now."""
        utterance = as_utterance(partial)
        for flag in self._detector.analyse(utterance):
            key = _key(flag)
            if key not in self._flags:
                self._flags[key] = flag
                self._show(key, flag)
                self._show(key, hint_for(flag))

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
            live = list(self._flags.values())
            self._whole_call = True
            whole_call = self._assistant.end_call()
        return live, whole_call

    def _emit(self, event: Flag | Hint) -> None:
        """The assistant's flags and hints (called under the lock)."""
        if self._whole_call:
            self._publish(self.call_id, event)
            return
        key = _key(event.flag if isinstance(event, Hint) else event)
        if isinstance(event, Flag):
            self._flags[key] = event  # a final's words are the better evidence to store
        self._show(key, event)

    def _show(self, key: FlagKey, event: Flag | Hint) -> None:
        """Publish a flag or hint unless the screen has it for this rule and utterance."""
        seen = (key, type(event).__name__)
        if seen not in self._shown:
            self._shown.add(seen)
            self._publish(self.call_id, event)


FlagKey = tuple[str, float, str]


def _key(flag: Flag) -> FlagKey:
    """One rule on one utterance: partials and the final of an utterance share its start."""
    return (flag.leg.value, round(flag.start, 2), flag.rule_id)
