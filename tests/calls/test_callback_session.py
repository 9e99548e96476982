"""The session's rules on a scripted call (no SIP, no model): barge-in, timeouts, transfer."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date
from pathlib import Path

from callback_fakes import FakeCall, ListeningEngine, ScriptedEngine, ToneTts

from huifang.calls.events import PromptPlayed
from huifang.calls.options import CallbackOptions
from huifang.calls.outcome import CallbackOutcome
from huifang.calls.pipeline import CallPipeline
from huifang.calls.script_session import ScriptSession
from huifang.prompt_audio.cache import PromptCache
from huifang.settings import Settings
from ivr.events import DtmfDigit
from ivr.outcome import CallOutcome
from ivr.prompt import PromptEnd
from scripts_zh.dialogue import CallbackDialogue
from scripts_zh.dialogue_events import AnswerHeard, AnswerSource
from scripts_zh.dialogue_events import CallOutcome as DialogueOutcome
from scripts_zh.policy import PolicyRecord, ProductFamily
from scripts_zh.script_loader import script_for

POLICY = PolicyRecord("P1", ProductFamily.TRADITIONAL, "康宁终身寿险", "王秀英", "女士",
                      date(1965, 3, 8), "4021", "王秀英", 5000, 10, "年交")


def _session_run(tmp_path: Path, *, keys: list[tuple[float, str]] | None = None,
                 finals: list[tuple[float, str]] | None = None, prompt_s: float = 0.3,
                 hang_up_at_s: float | None = None, name_barge_in: bool = True,
                 engine: ScriptedEngine | None = None,
                 **options: object) -> tuple[CallbackOutcome, FakeCall]:
    script = script_for(POLICY)
    if not name_barge_in:
        steps = tuple(s.model_copy(update={"barge_in": False}) if s.id == "identity_name" else s
                      for s in script.steps)
        script = dataclasses.replace(script, steps=steps)

    async def scenario() -> tuple[CallbackOutcome, FakeCall]:
        call = FakeCall(keys, prompt_s, hang_up_at_s)
        pipeline = CallPipeline(engine or ScriptedEngine(finals), None)  # no checks
        async with pipeline.call(None, POLICY) as run:
            session = ScriptSession(call, CallbackDialogue(script, POLICY), run,
                                    PromptCache(ToneTts(), tmp_path),
                                    CallbackOptions(**options))  # type: ignore[arg-type]
            outcome = await asyncio.wait_for(session.run(), 20)
            run.ended = outcome.call
        return outcome, call

    return asyncio.run(scenario())


def _played(outcome: CallbackOutcome, step_id: str) -> list[PromptPlayed]:
    return [e for e in outcome.events if isinstance(e, PromptPlayed) and e.step_id == step_id]


def _answers(outcome: CallbackOutcome) -> list[AnswerHeard]:
    return [e for e in outcome.events if isinstance(e, AnswerHeard)]


def test_a_key_during_a_question_stops_it(tmp_path: Path) -> None:
    outcome, _ = _session_run(tmp_path, keys=[(1.3, "1")], prompt_s=1.0, hang_up_at_s=2.5)
    (ask, *_) = _played(outcome, "identity_name")
    assert ask.end is PromptEnd.STOPPED
    assert ask.ended_ms < 1900  # the question would have run to 2000 ms
    assert _answers(outcome)[0].evidence.text == "1"


def test_a_step_without_barge_in_plays_to_its_end_and_ignores_early_keys(
        tmp_path: Path) -> None:
    outcome, _ = _session_run(tmp_path, keys=[(1.3, "1"), (2.3, "1")], prompt_s=1.0,
                              hang_up_at_s=3.0, name_barge_in=False, answer_timeout_s=1.0)
    (ask, *_) = _played(outcome, "identity_name")
    assert ask.end is PromptEnd.FINISHED
    keys = [e for e in outcome.events if isinstance(e, DtmfDigit)]
    answers = _answers(outcome)
    assert len(keys) == 2
    assert answers[0].evidence.start_ms >= 2200  # the second key, after the question


def test_speech_over_the_opening_is_not_an_answer(tmp_path: Path) -> None:
    outcome, _ = _session_run(tmp_path, finals=[(0.1, "喂你好"), (0.8, "是的")],
                              hang_up_at_s=1.5)
    first = _answers(outcome)[0].evidence
    assert (first.text, first.source) == ("是的", AnswerSource.SPEECH)
    assert outcome.confirmed[0].step_id == "identity_name"


def test_silence_times_out_to_no_response_and_a_hang_up(tmp_path: Path) -> None:
    outcome, _ = _session_run(tmp_path, answer_timeout_s=0.2)
    assert outcome.dialogue is not None
    assert outcome.dialogue.outcome is DialogueOutcome.NO_RESPONSE
    assert outcome.call.outcome is CallOutcome.COMPLETED
    (problem,) = outcome.problems
    assert [e.source for e in problem.evidence] == [AnswerSource.TIMEOUT] * 3


def test_zero_transfers_to_the_human_queue_after_the_notice(tmp_path: Path) -> None:
    outcome, call = _session_run(tmp_path, keys=[(0.8, "0")], transfer_uri="sip:queue@pbx")
    assert call.transferred_to == "sip:queue@pbx"
    assert outcome.call.outcome is CallOutcome.TRANSFERRED
    assert outcome.transfer is not None and outcome.transfer.reason == "customer_request"
    notice = [e for e in outcome.events if isinstance(e, PromptPlayed)][-1]
    assert (notice.purpose, notice.end) == ("notice", PromptEnd.FINISHED)


def test_without_a_human_queue_the_call_ends_after_the_notice(tmp_path: Path) -> None:
    outcome, call = _session_run(tmp_path, keys=[(0.8, "0")])
    assert call.transferred_to is None
    assert outcome.call.outcome is CallOutcome.COMPLETED
    assert outcome.dialogue is not None
    assert outcome.dialogue.outcome is DialogueOutcome.TRANSFERRED


def test_an_unclear_answer_is_listened_to_again_against_the_expected_answers(
        tmp_path: Path) -> None:
    engine = ListeningEngine([(0.8, "碎头")], prefer="对头")  # Whisper's 碎头 for 对头
    outcome, _ = _session_run(tmp_path, engine=engine, hang_up_at_s=1.5, second_listen=True)
    first = _answers(outcome)[0].evidence
    assert first.text == "碎头"  # the evidence keeps what was heard
    assert outcome.confirmed[0].step_id == "identity_name"
    ((samples, texts),) = engine.listened
    assert texts[0] == "碎头" and "对头" in texts and "不是" in texts
    assert 0.4 * 16000 <= samples <= 0.8 * 16000  # the answer's own audio, with margins


def test_a_clear_answer_is_not_listened_to_again(tmp_path: Path) -> None:
    engine = ListeningEngine([(0.8, "是的")], prefer="不是")
    outcome, _ = _session_run(tmp_path, engine=engine, hang_up_at_s=1.5, second_listen=True)
    assert engine.listened == []
    assert outcome.confirmed[0].step_id == "identity_name"


def test_the_second_listen_is_a_setting_on_by_default(tmp_path: Path) -> None:
    assert Settings.model_fields["callback_second_listen"].default is True
    assert CallbackOptions().second_listen
    engine = ListeningEngine([(0.8, "碎头")], prefer="对头")
    outcome, _ = _session_run(tmp_path, engine=engine, hang_up_at_s=1.5, second_listen=False)
    assert engine.listened == []
    assert not outcome.confirmed
