"""Live voice cues: a call's customer audio reaches the CallAssistant in frames; the voice is
measured in a worker process once enough speech was heard, and again when the call ends."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import Future

import numpy as np
import pytest
from voice_testkit import TODAY, clip, clips_of, holder

from agent_assist.engine import AssistFactory
from agent_assist.events import AudioFrame, CueKind, Flag, Hint, Leg, Utterance, VoiceCue
from agent_assist.live_voice import LiveVoiceCues, Measurement, VoiceCueSetup
from agent_assist.voice_disguise import psola_pitch_shift
from agent_assist.voice_estimates import VoiceGender
from asr.codec import Pcm16, resample

WAIT_S = 120.0  # generous: the worker process starts and imports Praat on a loaded machine


@pytest.fixture(scope="module")
def factory() -> Iterator[AssistFactory]:
    made = AssistFactory()
    yield made
    made.close()


class Screen:
    """What the agent's screen would receive, with a signal per voice cue."""

    def __init__(self) -> None:
        self.events: list[Flag | Hint | VoiceCue] = []
        self.cue_seen = threading.Event()

    def flag_or_hint(self, event: Flag | Hint) -> None:
        self.events.append(event)

    def cue(self, cue: VoiceCue) -> None:
        self.events.append(cue)
        self.cue_seen.set()

    @property
    def cues(self) -> list[VoiceCue]:
        return [e for e in self.events if isinstance(e, VoiceCue)]


def _frames(samples: Pcm16, leg: Leg, rate: int = 16000) -> Iterator[AudioFrame]:
    step = rate // 50  # 20 ms, as RTP delivers it
    for start in range(0, len(samples), step):
        yield AudioFrame(leg, samples[start : start + step], rate)


def _deep_male() -> Pcm16:
    """About 17 s of one deep male voice (two real clips, twice)."""
    a, b = clip("srdata_speaker1_a_cn_16k").samples, clip("srdata_speaker1_b_cn_16k").samples
    return np.concatenate([a, b, a, b])


def test_a_deep_male_voice_for_a_woman_gets_a_cue_during_the_call(factory: AssistFactory) -> None:
    screen = Screen()
    record = holder(VoiceGender.FEMALE, 66)
    call = factory.new_call(
        screen.flag_or_hint, VoiceCueSetup(record, screen.cue, today=TODAY)
    )
    call.on_utterance(Utterance(Leg.CUSTOMER, "业务员说这个保本保息", 1.0, 3.0))
    for frame in _frames(_deep_male(), Leg.CUSTOMER):
        call.on_audio(frame)
    # Still mid-call: the measurement started by 8 s of speech delivers its cue by itself.
    assert screen.cue_seen.wait(WAIT_S)
    assert [c.kind for c in screen.cues] == [CueKind.GENDER_MISMATCH]
    cue = screen.cues[0]
    assert cue.leg is Leg.CUSTOMER and "女性" in cue.message and cue.reasons
    # The rule flag came first, on the utterance's own path.
    assert isinstance(screen.events[0], Flag)
    call.end_call()  # measured again over everything: the same kind is not repeated
    assert [c.kind for c in screen.cues] == [CueKind.GENDER_MISMATCH]
    assert [c.kind for c in call.voice_cues] == [CueKind.GENDER_MISMATCH]


def test_a_short_call_is_measured_at_its_end(factory: AssistFactory) -> None:
    screen = Screen()
    call = factory.new_call(
        screen.flag_or_hint,
        VoiceCueSetup(holder(VoiceGender.FEMALE, 66), screen.cue, today=TODAY),
    )
    for frame in _frames(clip("srdata_speaker1_a_cn_16k").samples, Leg.CUSTOMER):
        call.on_audio(frame)  # 3.7 s: below the early measurement's 8 s of speech
    call.end_call()
    assert [c.kind for c in screen.cues] == [CueKind.GENDER_MISMATCH]


def test_a_raised_voice_over_the_telephone_band_gets_the_voice_changer_cue(
    factory: AssistFactory,
) -> None:
    screen = Screen()
    call = factory.new_call(screen.flag_or_hint, VoiceCueSetup(None, screen.cue, today=TODAY))
    raised = np.concatenate([psola_pitch_shift(c.samples, 1.5) for c in clips_of("srdata_fangjun")])
    narrow = resample(raised, 16000, 8000)  # the leg as RTP brings it; the assistant resamples
    for frame in _frames(narrow, Leg.CUSTOMER, 8000):
        call.on_audio(frame)
    call.end_call()
    # Without a policy record only the voice itself can be judged.
    assert [c.kind for c in screen.cues] == [CueKind.VOICE_CHANGER]
    assert any("Hz" in reason for reason in screen.cues[0].reasons)


def test_the_agent_leg_and_calls_without_voice_setup_give_no_voice_cues(
    factory: AssistFactory,
) -> None:
    screen = Screen()
    call = factory.new_call(
        screen.flag_or_hint,
        VoiceCueSetup(holder(VoiceGender.FEMALE, 66), screen.cue, today=TODAY),
    )
    for frame in _frames(_deep_male(), Leg.AGENT):
        call.on_audio(frame)
    call.end_call()
    assert screen.cues == []
    plain = factory.new_call(screen.flag_or_hint)
    for frame in _frames(clip("srdata_speaker1_a_cn_16k").samples, Leg.CUSTOMER):
        plain.on_audio(frame)
    plain.end_call()
    assert screen.cues == [] and plain.voice_cues == []


class _CountingWorker:
    """A voice worker that measures nothing and remembers how much speech each call sent."""

    def __init__(self) -> None:
        self.sent_s: list[float] = []

    def submit(self, audio: Pcm16, rate: int, want_voiceprint: bool = False) -> Future[Measurement]:
        self.sent_s.append(len(audio) / rate)
        done: Future[Measurement] = Future()
        done.set_result(Measurement("too little voiced speech"))
        return done


def test_the_voice_is_measured_again_while_the_call_is_up_once_speech_has_doubled() -> None:
    worker = _CountingWorker()
    live = LiveVoiceCues(worker, VoiceCueSetup(None, min_speech_s=4.0))  # type: ignore[arg-type]
    for frame in _frames(_deep_male(), Leg.CUSTOMER):
        live.on_audio(frame.samples, frame.sample_rate)
    # Still up: one measurement at 4 s of speech, one at twice that, and no more.
    assert len(worker.sent_s) == 2
    assert worker.sent_s[0] == pytest.approx(4.0, abs=0.05)
    assert worker.sent_s[1] >= 8.0
    # Neither gave features (the fake's "too little speech"): the end measures everything.
    live.finish()
    assert worker.sent_s[2:] == [pytest.approx(live.speech_s, abs=0.05)]
