"""Stage 3, the checks: every check huifang makes on a call, composed once for every kind.

- misleading-sale rules on every final utterance of either leg, and on partials as they come
  (a hint can reach the agent before the customer has finished; the final then replaces the
  early flag's evidence without showing it twice); the whole-call rules when an answered call
  ends;
- voice cues against the policyholder (gender, age band, voice changer) once enough of the
  customer's speech is heard, measured in agent_assist's voice worker process;
- the customer's voiceprint, made and searched among other policyholders' where voiceprints
  are on (duplicates ranked by salesperson, team, outlet, branch), kept for storing at the end;
- identity answers on calls without a script (a bridged agent call): the customer's answer to
  the agent's 出生日期 / 身份证 question compared with the policy; a robot's script checks
  identity itself (scripts_zh's dialogue).

What the checks find goes to a `CheckSink` (the call's run): flags with a key, so storage
writes each once and replaces its evidence when a final improves on a partial.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from agent_assist.engine import AssistFactory, CallAssistant
from agent_assist.events import (
    AudioFrame,
    Category,
    Flag,
    Hint,
    Leg,
    Severity,
    Utterance,
    VoiceCue,
    as_utterance,
)
from agent_assist.hints import hint_for
from agent_assist.live_voice import LIVE_MIN_SPEECH_S, VoiceCueSetup
from agent_assist.voice_cues import PolicyholderRecord
from agent_assist.voiceprint import SAME_VOICE_THRESHOLD, Voiceprint
from agent_assist.voiceprint_index import VoiceprintStore
from asr.codec import Pcm16
from asr.events import Transcript
from scripts_zh.identity_answer import IdentityVerdict, check_identity_answer
from scripts_zh.policy import PolicyRecord
from storage.analysis_models import FlagKind

# One rule on one utterance: partials and the final of an utterance share its start.
FlagKey = tuple[str, float, str]
# The checks that may be off in a deployment, by the name the review console shows.
DUPLICATE_VOICE = "duplicate_voice"
_IDENTITY_QUESTION = re.compile(r"出生|生日|身份证")
_IDENTITY_ANSWERS_AFTER_QUESTION = 2  # customer finals checked after the agent asked


class CheckSink(Protocol):
    """Where one call's findings go (the call's run: the bus, storage)."""

    def flag(self, flag: Flag, key: FlagKey | None, kind: FlagKind) -> None:
        """A flag raised, or better evidence for the flag of the same key (key None: once)."""
        ...

    def show(self, event: Flag | Hint | VoiceCue) -> None:
        """Something for the agent's screen."""
        ...

    def cue(self, cue: VoiceCue) -> None:
        """A voice cue raised (from the voice worker's thread, or at the end)."""
        ...


@dataclass(frozen=True)
class VoiceChecks:
    """The deployment's voice checks: cues on or off, and the voiceprints (None: off, PIPL)."""

    cues: bool = True
    min_speech_s: float = LIVE_MIN_SPEECH_S
    voiceprints: VoiceprintStore | None = None
    threshold: float = SAME_VOICE_THRESHOLD

    @property
    def skipped(self) -> tuple[str, ...]:
        """The checks this deployment does not run."""
        return () if self.voiceprints is not None else (DUPLICATE_VOICE,)


class Checks:
    """The rules (loaded once per process) and the voice worker; a CallChecks per call."""

    def __init__(self, voice: VoiceChecks, assist: AssistFactory | None = None) -> None:
        self.voice = voice
        self.assist = assist or AssistFactory()
        if voice.cues:  # now, not during the first call: it takes seconds of CPU
            self.assist.start_voice_worker()

    def for_call(self, sink: CheckSink, holder: PolicyholderRecord | None = None,
                 policy: PolicyRecord | None = None, *, identity: bool = False,
                 today: date | None = None) -> CallChecks:
        """Fresh checks for one call; `identity` checks answers against `policy` (no script)."""
        return CallChecks(self, sink, holder, policy if identity else None, today)

    def close(self) -> None:
        """Stop the voice worker process, if one was started."""
        self.assist.close()


class CallChecks:
    """Every check on one call: transcripts and the customer's audio in, findings to the sink."""

    def __init__(self, checks: Checks, sink: CheckSink, holder: PolicyholderRecord | None,
                 identity_policy: PolicyRecord | None, today: date | None) -> None:
        self._sink = sink
        self._detector = checks.assist.detector
        self._lock = threading.Lock()  # legs and the voice worker deliver on their own threads
        self._flags: dict[FlagKey, Flag] = {}
        self._shown: set[tuple[FlagKey, str]] = set()
        self._identity_policy = identity_policy
        self._identity_due = 0  # customer finals still to check after an identity question
        self._ended = False
        voice = checks.voice
        setup = None
        if voice.cues:
            setup = VoiceCueSetup(holder, sink.cue, today=today, index=voice.voiceprints,
                                  threshold=voice.threshold, min_speech_s=voice.min_speech_s,
                                  voiceprint=voice.voiceprints is not None)
        self._assistant: CallAssistant = checks.assist.new_call(self._from_assistant, setup)

    @property
    def voiceprint(self) -> Voiceprint | None:
        """The customer's voiceprint, once made (voiceprints on, enough speech)."""
        return self._assistant.voiceprint

    def on_transcript(self, result: Transcript) -> None:
        """A partial (early flags) or final (rules, identity answers) of either leg."""
        if not result.text:
            return
        with self._lock:
            if not result.is_final:
                self._early_flags(as_utterance(result))
                return
            self._assistant.on_utterance(result)
            if self._identity_policy is not None:
                self._identity(as_utterance(result), self._identity_policy)

    def on_audio(self, pcm: Pcm16, rate: int) -> None:
        """A piece of the customer's audio at the leg's rate (kept for the voice checks)."""
        self._assistant.on_audio(AudioFrame(Leg.CUSTOMER, pcm, rate))

    def end(self, answered: bool) -> None:
        """The call is over: the whole-call rules (when it was answered)."""
        with self._lock:
            self._ended = True
            whole_call = self._assistant.end_call(rules=answered, voice=False)
        for flag in whole_call:
            self._sink.flag(flag, None, FlagKind.WHOLE_CALL)

    def end_voice(self) -> None:
        """The last voice measurement, over everything heard where it is due. Blocking: it
        waits for the voice worker, so the call's end is stored before it."""
        self._assistant.finish_voice()

    # --- what the rules raise --------------------------------------------------------------

    def _early_flags(self, partial: Utterance) -> None:
        """The rules over a partial: a flag not yet raised on this utterance is raised now."""
        for flag in self._detector.analyse(partial):
            key = _key(flag)
            if key not in self._flags:
                self._raise(key, flag, FlagKind.MISLEADING_SALE)
                self._show(key, hint_for(flag))

    def _from_assistant(self, event: Flag | Hint) -> None:
        """The assistant's flags and hints on finals (under the lock), and at the end."""
        if self._ended:
            if isinstance(event, Hint):
                self._sink.show(event)
            return  # whole-call flags reach the sink from end()
        key = _key(event.flag if isinstance(event, Hint) else event)
        if isinstance(event, Flag):
            self._raise(key, event, FlagKind.MISLEADING_SALE)  # a final's words are better
        else:
            self._show(key, event)

    def _raise(self, key: FlagKey, flag: Flag, kind: FlagKind) -> None:
        self._flags[key] = flag
        self._sink.flag(flag, key, kind)
        self._show(key, flag)

    def _show(self, key: FlagKey, event: Flag | Hint) -> None:
        """Show a flag or hint unless the screen has it for this rule and utterance."""
        seen = (key, type(event).__name__)
        if seen not in self._shown:
            self._shown.add(seen)
            self._sink.show(event)

    # --- identity answers on an agent's call -----------------------------------------------

    def _identity(self, utterance: Utterance, policy: PolicyRecord) -> None:
        """After the agent asks for the birth date or ID digits, check the customer's answers."""
        if utterance.leg is Leg.AGENT:
            if _IDENTITY_QUESTION.search(utterance.text):
                self._identity_due = _IDENTITY_ANSWERS_AFTER_QUESTION
            return
        if not self._identity_due:
            return
        verdict = check_identity_answer(utterance.text, policy)
        if verdict is IdentityVerdict.NOT_GIVEN:
            self._identity_due -= 1
            return
        self._identity_due = 0
        if verdict is IdentityVerdict.MISMATCHED:
            flag = identity_flag(utterance)
            key = _key(flag)
            self._raise(key, flag, FlagKind.IDENTITY)
            self._show(key, hint_for(flag))


def identity_flag(utterance: Utterance) -> Flag:
    """The flag of an identity answer that does not match the policy record."""
    return Flag(
        rule_id="identity.answer_mismatch", category=Category.PROCESS_VIOLATION,
        subcategory="身份核实", severity=Severity.HIGH, leg=utterance.leg, text=utterance.text,
        start=utterance.start, end=utterance.end, span=(0, len(utterance.text)),
        explanation="客户所答出生日期或证件号码与投保人资料不符，可能不是投保人本人"
                    "（规避或替代回访）。",
        suggested_wording="请再核实一次：麻烦您再说一下投保人的出生日期？",
    )


def _key(flag: Flag) -> FlagKey:
    return (flag.leg.value, round(flag.start, 2), flag.rule_id)
