"""How an automated callback behaves: timeouts, barge-in, where 转人工 goes."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field

from asr.engines import AsrConfig
from asr.vad import VadConfig
from huifang.settings import Settings, asr_config
from scripts_zh.answer_model import AnswerModel, AnswerModelError, default_model
from scripts_zh.dialogue import CallbackDialogue
from scripts_zh.policy import PolicyRecord
from scripts_zh.script_loader import script_for

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CallbackOptions:
    """The session's knobs, built from settings by the caller."""

    answer_timeout_s: float = 8.0
    barge_in: bool = True
    transfer_uri: str = ""
    dedicated_agent_uri: str = ""  # template: {agent} is the named agent's login (专人回访)
    max_call_s: float = 900.0
    vad: VadConfig = field(default_factory=VadConfig)
    prompt_slack_s: float = 5.0  # a prompt that outlives its length by this much is stopped
    hangup_wait_s: float = 10.0  # for pjsua2 to confirm the end (BYE, transfer NOTIFY)
    recognition_grace_s: float = 20.0  # longer answer timeout while an answer is decoded
    second_listen: bool = True  # score expected answers against an unclear answer's audio
    learned_answers: bool = True  # a learned guess at what is still unclear (never a yes)

    @classmethod
    def from_settings(cls, settings: Settings) -> CallbackOptions:
        """The HUIFANG_CALLBACK_* settings, and the VAD the recogniser uses."""
        return cls(
            answer_timeout_s=settings.callback_answer_timeout_s,
            barge_in=settings.callback_barge_in,
            transfer_uri=settings.callback_transfer_uri,
            dedicated_agent_uri=settings.callback_dedicated_agent_uri,
            max_call_s=settings.callback_max_call_s,
            second_listen=settings.callback_second_listen,
            learned_answers=settings.callback_learned_answers,
            vad=asr_config(settings).vad,
        )

    def new_dialogue(self, policy: PolicyRecord) -> CallbackDialogue:
        """The policy's callback dialogue, its answers understood as these options say."""
        model = _answer_model() if self.learned_answers else None
        return CallbackDialogue(script_for(policy), policy, answer_model=model)


def _answer_model() -> AnswerModel | None:
    """The shipped answer model; a broken install costs the guess, never the call."""
    try:
        return default_model()
    except AnswerModelError as error:
        _log.error("learned answers off for this call: %s", error)
        return None


def callback_asr_config(settings: Settings) -> AsrConfig:
    """The recogniser a callback loads: the shared speech settings, with answers decoded in a
    short encoder window, optionally without 30 s retries (HUIFANG_CALLBACK_WHISPER_SHORT_*;
    BENCHMARKS.md). A callback hears live: one decode per answer, never the recordings' vote."""
    config = asr_config(settings)
    window = settings.callback_whisper_short_window_s or config.whisper_short_window_s
    trust = (settings.callback_whisper_short_trust_unlikely
             or config.whisper_short_trust_unlikely)
    sampling = (settings.callback_whisper_short_retry_sampling
                and config.whisper_short_retry_sampling)
    return dataclasses.replace(config, whisper_short_window_s=window,
                               whisper_short_trust_unlikely=trust,
                               whisper_short_retry_sampling=sampling, recording_contexts=())
