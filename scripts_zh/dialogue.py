"""The automated callback as pure logic: ask → understand → retry → explain → record, per step.

A transport (SIP, a test timeline) feeds it recognised answers, keys and timeouts with times
in milliseconds and plays the Prompt events it returns; nothing here touches audio or clocks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from scripts_zh.answer_class import AnswerClass
from scripts_zh.answer_classifier import classify_dtmf
from scripts_zh.answer_hearing import hear_answer, second_listen
from scripts_zh.answer_model import AnswerModel
from scripts_zh.dialogue_events import (
    AnswerHeard,
    AnswerSource,
    CallEnded,
    CallOutcome,
    DialogueEvent,
    Evidence,
    ItemConfirmed,
    ProblemItem,
    ProblemReason,
    Prompt,
    PromptPurpose,
    SurrenderOrComplaint,
    TransferToHuman,
)
from scripts_zh.identity_answer import (
    check_identity_answer,
    check_identity_keys,
    check_stated_name,
)
from scripts_zh.policy import PolicyRecord
from scripts_zh.prompts import render_prompt
from scripts_zh.script_schema import (
    AnswerKind,
    CallbackScript,
    ProblemKind,
    ScriptStep,
    step_applies,
)
from scripts_zh.step_verdict import StepVerdict, identity_verdict, verdict_for

# Prompts in a row met by silence before the call is given up as no response.
MAX_SILENT_PROMPTS = 3
ID_KEYS = 4


@dataclass
class _Turn:
    """Mutable state of the step being asked (never leaves the dialogue)."""

    retries_used: int = 0
    explained: bool = False
    evidence: list[Evidence] = field(default_factory=list)
    keys: str = ""


class CallbackDialogue:
    """One automated callback for one policy; every method returns the events it caused."""

    def __init__(self, script: CallbackScript, policy: PolicyRecord,
                 answer_model: AnswerModel | None = None) -> None:
        self.script = script
        self.policy = policy
        self.answer_model = answer_model  # guesses what rules and audio left unclear
        self.steps = tuple(step for step in script.steps if step_applies(step, policy))
        self.events: list[DialogueEvent] = []  # the whole run, in order
        self._index = 0
        self._turn = _Turn()
        self._silent_in_a_row = 0
        self._confirmed: list[str] = []
        self._problems: list[str] = []
        self._ended = False

    @property
    def finished(self) -> bool:
        """Whether the call has ended (later input is ignored)."""
        return self._ended

    @property
    def current_step(self) -> ScriptStep | None:
        """The step being asked, None before start and after the end."""
        return None if self._ended or self._index >= len(self.steps) else self.steps[self._index]

    def start(self) -> list[DialogueEvent]:
        """The opening and the first question."""
        opening = Prompt(self._say(self.script.messages.opening), PromptPurpose.OPENING)
        return self._emit([opening, *self._ask(PromptPurpose.ASK)])

    def second_listen(self, text: str) -> tuple[str, ...]:
        """The texts to score against the answer's audio before `on_answer` (the heard text
        and the answers a yes/no question expects), or () when the text is clear enough."""
        step = self.current_step
        if step is None or step.expects is AnswerKind.IDENTITY_RECORD:
            return ()  # digits and dates are checked against the record, not a lexicon
        return second_listen(text, self._say(step.prompt))

    def on_answer(self, text: str, start_ms: int, end_ms: int,
                  scores: Sequence[float] | None = None) -> list[DialogueEvent]:
        """A recognised spoken answer with its times, and the recogniser's scores of
        `second_listen(text)` when the transport could listen again."""
        step = self.current_step
        if step is None:
            return []
        self._silent_in_a_row = 0
        listened = self.second_listen(text)
        # Digits and dates are checked against the record: no guess at what they mean.
        model = None if step.expects is AnswerKind.IDENTITY_RECORD else self.answer_model
        answer = hear_answer(text, scores if listened else None, model, self._say(step.prompt))
        evidence = Evidence(text, start_ms, end_ms, AnswerSource.SPEECH, answer)
        return self._emit(self._hear(step, evidence, self._spoken_verdict(step, text, answer)))

    def _spoken_verdict(self, step: ScriptStep, text: str, answer: AnswerClass) -> StepVerdict:
        """Identity steps check what was said against the policy record first."""
        if step.expects is AnswerKind.IDENTITY_RECORD:
            return identity_verdict(check_identity_answer(text, self.policy), answer)
        if step.expects is AnswerKind.IDENTITY_NAME:
            named = check_stated_name(text, self.policy)
            return identity_verdict(named, answer, AnswerKind.IDENTITY_NAME)
        return verdict_for(step.expects, answer)

    def on_dtmf(self, digit: str, at_ms: int) -> list[DialogueEvent]:
        """A keypad press (1 confirm, 2 deny, 0 human; digits of the ID on the identity step)."""
        step = self.current_step
        if step is None:
            return []
        self._silent_in_a_row = 0
        if step.expects is AnswerKind.IDENTITY_RECORD and digit.isdigit():
            self._turn.keys += digit
            if len(self._turn.keys) < ID_KEYS:
                return []
            keys, self._turn.keys = self._turn.keys, ""
            verdict = identity_verdict(check_identity_keys(keys, self.policy), classify_dtmf(""))
            evidence = Evidence(keys, at_ms, at_ms, AnswerSource.DTMF, None)
        else:
            answer = classify_dtmf(digit)
            evidence = Evidence(digit, at_ms, at_ms, AnswerSource.DTMF, answer)
            verdict = verdict_for(step.expects, answer)
        return self._emit(self._hear(step, evidence, verdict))

    def on_timeout(self, at_ms: int) -> list[DialogueEvent]:
        """No answer within the transport's answer timeout after the last prompt."""
        step = self.current_step
        if step is None:
            return []
        self._silent_in_a_row += 1
        evidence = Evidence("", at_ms, at_ms, AnswerSource.TIMEOUT, None)
        self._turn.evidence.append(evidence)
        if self._silent_in_a_row >= MAX_SILENT_PROMPTS:
            events = [self._problem(step, ProblemReason.NO_ANSWER)]
            return self._emit(
                events + self._end(CallOutcome.NO_RESPONSE, at_ms, self.script.messages.no_response)
            )
        return self._emit(self._unclear(step, ProblemReason.NO_ANSWER, at_ms))

    def on_hangup(self, at_ms: int) -> list[DialogueEvent]:
        """The customer hung up: the call ends where it was, with no closing prompt."""
        if self._ended:
            return []
        self._ended = True
        return self._emit([self._ended_event(CallOutcome.HUNG_UP, at_ms)])

    # -- one answer on one step -------------------------------------------------------------

    def _hear(
        self, step: ScriptStep, evidence: Evidence, verdict: StepVerdict
    ) -> list[DialogueEvent]:
        self._turn.evidence.append(evidence)
        events: list[DialogueEvent] = [AnswerHeard(step.id, evidence)]
        if verdict is StepVerdict.HUMAN:
            return events + self._transfer(step, "customer_request", evidence.end_ms)
        if verdict is StepVerdict.SURRENDER_OR_COMPLAINT:
            return events + self._surrender(step, evidence)
        if verdict is StepVerdict.CONFIRMED:
            return events + self._confirm(step, evidence.end_ms)
        if verdict is StepVerdict.DENIED:
            return events + self._denied(step, evidence.end_ms)
        if verdict is StepVerdict.DOUBT:
            return events + self._doubt(step, evidence.end_ms)
        return events + self._unclear(step, ProblemReason.NO_CLEAR_ANSWER, evidence.end_ms)

    def _confirm(self, step: ScriptStep, at_ms: int) -> list[DialogueEvent]:
        if self._turn.explained and self.script.explained_item_is_problem:
            return [self._problem(step, ProblemReason.NEEDED_EXPLANATION), *self._next(at_ms)]
        self._confirmed.append(step.id)
        confirmed = ItemConfirmed(step.id, step.item, tuple(self._turn.evidence))
        return [confirmed, *self._next(at_ms)]

    def _denied(self, step: ScriptStep, at_ms: int) -> list[DialogueEvent]:
        if step.expects is AnswerKind.IDENTITY_RECORD:  # digits may be misheard: ask once more
            if self._turn.retries_used < step.retries:
                return self._retry()
            return self._identity_failed(step, ProblemReason.IDENTITY_MISMATCH, at_ms)
        if step.problem_kind is ProblemKind.IDENTITY:
            return self._identity_failed(step, ProblemReason.NOT_POLICYHOLDER, at_ms)
        return [self._problem(step, ProblemReason.DENIED), *self._next(at_ms)]

    def _doubt(self, step: ScriptStep, at_ms: int) -> list[DialogueEvent]:
        """Explain once; still unsure after that is a problem item, never talked into a yes."""
        if step.explanations and not self._turn.explained:
            return self._explain(step)
        if not step.explanations and self._turn.retries_used < step.retries:
            return self._retry()
        return self._give_up(step, ProblemReason.UNSURE, at_ms)

    def _unclear(self, step: ScriptStep, reason: ProblemReason, at_ms: int) -> list[DialogueEvent]:
        if self._turn.retries_used < step.retries:
            return self._retry()
        if step.explanations and not self._turn.explained:
            return self._explain(step)
        return self._give_up(step, reason, at_ms)

    def _give_up(self, step: ScriptStep, reason: ProblemReason, at_ms: int) -> list[DialogueEvent]:
        if step.problem_kind is ProblemKind.IDENTITY:  # no verified policyholder, no callback
            return self._identity_failed(step, reason, at_ms)
        return [self._problem(step, reason), *self._next(at_ms)]

    # -- prompts ----------------------------------------------------------------------------

    def _say(self, text: str) -> str:
        return render_prompt(text, self.policy)

    def _ask(self, purpose: PromptPurpose) -> list[DialogueEvent]:
        step = self.steps[self._index]
        messages = self.script.messages
        text = self._say(step.prompt)
        if step.expects is not AnswerKind.IDENTITY_RECORD:  # 按1确认 means nothing there
            text += self._say(messages.keypad_hint)
        if purpose is PromptPurpose.RETRY:
            text = self._say(messages.retry) + text
        return [Prompt(text, purpose, step.id)]

    def _retry(self) -> list[DialogueEvent]:
        self._turn.retries_used += 1
        return self._ask(PromptPurpose.RETRY)

    def _explain(self, step: ScriptStep) -> list[DialogueEvent]:
        self._turn.explained = True
        text = self._say(self.script.messages.explain_intro) + "".join(
            self._say(explanation) for explanation in step.explanations
        )
        return [Prompt(text, PromptPurpose.EXPLAIN, step.id), *self._ask(PromptPurpose.ASK)]

    # -- moving on and ending ---------------------------------------------------------------

    def _problem(self, step: ScriptStep, reason: ProblemReason) -> ProblemItem:
        self._problems.append(step.id)
        return ProblemItem(
            step.id,
            step.item,
            step.topic,
            reason,
            step.problem_kind.value,
            tuple(self._turn.evidence),
        )

    def _next(self, at_ms: int) -> list[DialogueEvent]:
        self._index += 1
        self._turn = _Turn()
        if self._index < len(self.steps):
            return self._ask(PromptPurpose.ASK)
        messages = self.script.messages
        if self._problems:
            return self._end(
                CallOutcome.COMPLETED_WITH_PROBLEMS, at_ms, messages.closing_with_problems
            )
        return self._end(CallOutcome.ALL_CONFIRMED, at_ms, messages.closing_confirmed)

    def _identity_failed(
        self, step: ScriptStep, reason: ProblemReason, at_ms: int
    ) -> list[DialogueEvent]:
        messages = self.script.messages
        farewell = (
            messages.not_policyholder
            if reason is ProblemReason.NOT_POLICYHOLDER
            else messages.identity_failed
        )
        return [
            self._problem(step, reason),
            *self._end(CallOutcome.IDENTITY_FAILED, at_ms, farewell),
        ]

    def _transfer(self, step: ScriptStep, reason: str, at_ms: int) -> list[DialogueEvent]:
        notice = Prompt(
            self._say(self.script.messages.transfer_to_human), PromptPurpose.NOTICE, step.id
        )
        self._ended = True
        return [
            notice,
            TransferToHuman(step.id, reason, at_ms),
            self._ended_event(CallOutcome.TRANSFERRED, at_ms),
        ]

    def _surrender(self, step: ScriptStep, evidence: Evidence) -> list[DialogueEvent]:
        recorded = SurrenderOrComplaint(step.id, evidence)
        problem = self._problem(step, ProblemReason.SURRENDER_OR_COMPLAINT)
        notice = Prompt(
            self._say(self.script.messages.surrender_or_complaint), PromptPurpose.NOTICE, step.id
        )
        return [
            recorded,
            problem,
            notice,
            *self._transfer(step, "surrender_or_complaint", evidence.end_ms),
        ]

    def _end(self, outcome: CallOutcome, at_ms: int, farewell: str) -> list[DialogueEvent]:
        self._ended = True
        return [
            Prompt(self._say(farewell), PromptPurpose.CLOSING),
            self._ended_event(outcome, at_ms),
        ]

    def _ended_event(self, outcome: CallOutcome, at_ms: int) -> CallEnded:
        settled = set(self._confirmed) | set(self._problems)
        not_reached = tuple(step.id for step in self.steps if step.id not in settled)
        return CallEnded(outcome, at_ms, tuple(self._confirmed), tuple(self._problems), not_reached)

    def _emit(self, events: list[DialogueEvent]) -> list[DialogueEvent]:
        self.events.extend(events)
        return events
