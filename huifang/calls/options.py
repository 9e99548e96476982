"""How an automated callback behaves: timeouts, barge-in, where 转人工 goes."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from asr.engines import AsrConfig
from asr.vad import VadConfig
from huifang.settings import Settings, asr_config


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
            vad=asr_config(settings).vad,
        )


def callback_asr_config(settings: Settings) -> AsrConfig:
    """The recogniser a callback loads: the shared speech settings, with answers decoded in a
    short encoder window, optionally without 30 s retries (HUIFANG_CALLBACK_WHISPER_SHORT_*;
    BENCHMARKS.md)."""
    config = asr_config(settings)
    window = settings.callback_whisper_short_window_s or config.whisper_short_window_s
    trust = (settings.callback_whisper_short_trust_unlikely
             or config.whisper_short_trust_unlikely)
    sampling = (settings.callback_whisper_short_retry_sampling
                and config.whisper_short_retry_sampling)
    return dataclasses.replace(config, whisper_short_window_s=window,
                               whisper_short_trust_unlikely=trust,
                               whisper_short_retry_sampling=sampling)
