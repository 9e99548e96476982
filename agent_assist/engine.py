"""The hint engine of one call: final utterances in, Flag and Hint events out, as they happen."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from agent_assist.events import Flag, Hint, TranscriptLike, Utterance, as_utterance
from agent_assist.hints import hint_for
from agent_assist.misleading_sale import MisleadingSaleDetector
from agent_assist.rule_set import DEFAULT_RULES_FILE, RuleSet
from agent_assist.whole_call import WholeCallAnalyser

EventSink = Callable[[Flag | Hint], None]


class CallAssistant:
    """Analyses one call: each final utterance at once, the whole call when it ends."""

    def __init__(
        self,
        detector: MisleadingSaleDetector,
        whole_call: WholeCallAnalyser,
        emit: EventSink | None = None,
    ) -> None:
        self._detector = detector
        self._whole_call = whole_call
        self._emit = emit
        self._utterances: list[Utterance] = []

    def on_utterance(self, event: Utterance | TranscriptLike) -> list[Flag]:
        """Analyse a final utterance (partials are ignored) and emit its flags and hints."""
        utterance = as_utterance(event)
        if not utterance.final:
            return []
        self._utterances.append(utterance)
        flags = self._detector.analyse(utterance)
        self._deliver(flags)
        return flags

    def end_call(self) -> list[Flag]:
        """Apply the whole-call rules and emit their flags."""
        flags = self._whole_call.analyse(self._utterances)
        self._deliver(flags)
        return flags

    def _deliver(self, flags: Iterable[Flag]) -> None:
        if self._emit is None:
            return
        for flag in flags:
            self._emit(flag)
            self._emit(hint_for(flag))


class AssistFactory:
    """Loads the rules once per process and makes a CallAssistant per call."""

    def __init__(self, rules_file: Path = DEFAULT_RULES_FILE) -> None:
        self.rule_set = RuleSet.load(rules_file)
        self.detector = MisleadingSaleDetector(self.rule_set)
        self.whole_call = WholeCallAnalyser(self.rule_set.whole_call_rules)

    def new_call(self, emit: EventSink | None = None) -> CallAssistant:
        """A fresh assistant for one call."""
        return CallAssistant(self.detector, self.whole_call, emit)

    def analyse_recording(self, utterances: Iterable[Utterance | TranscriptLike]) -> list[Flag]:
        """The same analysis over a finished call's transcript: real-time flags, then whole-call."""
        call = self.new_call()
        flags = [flag for event in utterances for flag in call.on_utterance(event)]
        return flags + call.end_call()
