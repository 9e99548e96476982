"""One call's run: transcripts and session events → checks → the bus and storage, as they
happen; the end stored however the call ended (no SIP, no model, no voice worker)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import AbstractAsyncContextManager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from callback_fakes import ScriptedEngine

from agent_assist.engine import AssistFactory
from agent_assist.events import Flag, Hint
from asr.events import Transcript, TranscriptKind
from huifang.calls.checks import Checks, VoiceChecks
from huifang.calls.events import CallEvent, CallStage, CallStatus, PromptPlayed
from huifang.calls.pipeline import CallPipeline
from huifang.calls.record import start_call_record
from ivr.events import CallEnded
from ivr.outcome import CallOutcome
from ivr.prompt import PromptEnd
from scripts_zh.dialogue_events import ItemConfirmed, PromptPurpose
from scripts_zh.policy import PolicyRecord, ProductFamily
from storage.analysis import flags_for_call
from storage.analysis_models import FlagKind
from storage.database import Database, open_database
from storage.models import CallDirection, CallRecord
from storage.transcripts import call_transcript

SAID = "业务员说这个保本保息，每年都有分红"
POLICY = PolicyRecord("P1", ProductFamily.TRADITIONAL, "康宁终身寿险", "王秀英", "女士",
                      date(1965, 3, 8), "4021", "王秀英", 5000, 10, "年交")
ANSWERED = CallEnded("c1", CallOutcome.COMPLETED, 200, "OK", True, 30.0, None)


@pytest.fixture(scope="module")
def checks() -> Iterator[Checks]:
    made = Checks(VoiceChecks(cues=False), AssistFactory())
    yield made
    made.close()


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = open_database(f"sqlite:///{tmp_path / 'calls.db'}")
    yield db
    db.close()


class Screen:
    """An event bus that keeps what is published (nobody subscribes in these tests)."""

    def __init__(self) -> None:
        self.events: list[tuple[int, CallEvent]] = []

    def publish(self, call_id: int, event: CallEvent) -> None:
        self.events.append((call_id, event))

    def subscribe(self, call_id: int) -> AbstractAsyncContextManager[asyncio.Queue[CallEvent]]:
        raise NotImplementedError

    def of(self, kind: type) -> list[Any]:
        return [event for _, event in self.events if isinstance(event, kind)]


def _said(kind: TranscriptKind, text: str, start: float = 3.0, end: float = 6.0,
          leg: str = "customer") -> Transcript:
    return Transcript(kind, text, start, end, leg)


def _new_call(database: Database) -> int:
    return start_call_record(database, None, CallDirection.OUTBOUND, "sip:c@x").call_id


def test_a_final_misleading_statement_is_shown_kept_and_stored_at_once(
        checks: Checks, database: Database) -> None:
    screen = Screen()
    call_id = _new_call(database)

    async def scenario() -> list[str]:
        pipeline = CallPipeline(ScriptedEngine(), checks, database=database, bus=screen)
        async with pipeline.call(call_id, POLICY) as run:
            run.on_transcript(_said(TranscriptKind.FINAL, SAID))
            assert run._recorder is not None
            await run._recorder.flushed()
            with database.session() as session:  # stored while the call goes on
                during = [flag.rule_id for flag in flags_for_call(session, call_id)]
            run.ended = ANSWERED
        pipeline.close()
        assert next(f.rule_id for f in run.findings if isinstance(f, Flag)) == (
            "induce.guaranteed_return")
        return during

    assert asyncio.run(scenario()) == ["induce.guaranteed_return"]
    hint, whole_call = screen.of(Hint)  # the second: a whole-call rule at the end
    assert hint.flag.leg == "customer" and hint.suggested_wording
    assert whole_call.flag.rule_id.startswith("call.")
    assert {call_id_ for call_id_, _ in screen.events} == {call_id}
    assert screen.of(CallStatus)[-1] == CallStatus(CallStage.ENDED, "completed")
    with database.session() as session:
        call = session.get(CallRecord, call_id)
        assert call is not None and call.outcome == "completed" and call.ended_at
        assert call.checks_skipped == ["duplicate_voice"]  # voiceprints off: the console says
        kinds = {flag.kind for flag in flags_for_call(session, call_id)}
    assert kinds == {FlagKind.MISLEADING_SALE, FlagKind.WHOLE_CALL}  # answered: whole-call too


def test_a_partial_raises_the_hint_early_and_the_final_replaces_its_evidence(
        checks: Checks, database: Database) -> None:
    screen = Screen()
    call_id = _new_call(database)

    async def scenario() -> None:
        pipeline = CallPipeline(ScriptedEngine(), checks, database=database, bus=screen)
        async with pipeline.call(call_id, POLICY) as run:
            run.on_transcript(_said(TranscriptKind.PARTIAL, "业务员说这个保本保息", end=4.5))
            assert len(screen.of(Hint)) == 1  # before the customer has finished
            run.on_transcript(_said(TranscriptKind.FINAL, SAID))
        pipeline.close()

    asyncio.run(scenario())
    assert len(screen.of(Hint)) == 1 and len(screen.of(Flag)) == 1
    with database.session() as session:
        (stored,) = flags_for_call(session, call_id, [FlagKind.MISLEADING_SALE])
        assert stored.utterance == SAID and stored.end_ms == 6000  # the final's words


def test_the_finals_of_both_legs_are_stored_as_heard(checks: Checks, database: Database) -> None:
    call_id = _new_call(database)

    async def scenario() -> list[tuple[str, str, int]]:
        pipeline = CallPipeline(ScriptedEngine(), checks, database=database)
        async with pipeline.call(call_id, POLICY) as run:
            run.on_transcript(_said(TranscriptKind.PARTIAL, "业务员说"))
            run.on_transcript(_said(TranscriptKind.FINAL, SAID))
            run.on_transcript(_said(TranscriptKind.FINAL, "", 7.0, 7.5, "agent"))  # no words
            run.on_transcript(_said(TranscriptKind.FINAL, "您清楚吗", 8.0, 9.0, "agent"))
            assert run._recorder is not None
            await run._recorder.flushed()
            with database.session() as session:  # stored while the call goes on
                lines = call_transcript(session, call_id).lines
                during = [(line.leg.value, line.text, line.start_ms) for line in lines]
        pipeline.close()
        return during

    assert asyncio.run(scenario()) == [("customer", SAID, 3000), ("agent", "您清楚吗", 8000)]


def test_a_call_that_breaks_off_keeps_its_flags_and_ends_failed(
        checks: Checks, database: Database) -> None:
    call_id = _new_call(database)

    async def scenario() -> None:
        pipeline = CallPipeline(ScriptedEngine(), checks, database=database)
        try:
            async with pipeline.call(call_id, POLICY) as run:
                run.on_transcript(_said(TranscriptKind.FINAL, SAID))
                raise RuntimeError("the SIP stack went away")
        finally:
            pipeline.close()

    with pytest.raises(RuntimeError):
        asyncio.run(scenario())
    with database.session() as session:
        call = session.get(CallRecord, call_id)
        assert call is not None and call.outcome == "failed"
        kinds = [flag.kind for flag in flags_for_call(session, call_id)]
    assert kinds == [FlagKind.MISLEADING_SALE]  # not answered: no whole-call rules


def test_the_same_rule_on_another_utterance_is_a_new_hint_and_harmless_words_none(
        checks: Checks) -> None:
    screen = Screen()

    async def scenario() -> int:
        pipeline = CallPipeline(ScriptedEngine(), checks, bus=screen)
        async with pipeline.call(7, POLICY) as run:
            run.on_transcript(_said(TranscriptKind.FINAL, SAID))
            run.on_transcript(_said(TranscriptKind.FINAL, "他又说保本保息", start=9.0, end=11.0))
            run.on_transcript(_said(TranscriptKind.FINAL, "对，我是本人", start=12.0, end=13.0))
            run.on_transcript(_said(TranscriptKind.FINAL, "", start=14.0, end=15.0))
        return len(run.findings)

    assert asyncio.run(scenario()) == 2
    assert len(screen.of(Hint)) == 2 and len(screen.of(Transcript)) == 4


def test_a_scripted_session_shows_its_prompts_as_the_agent_leg_and_stores_its_answers(
        checks: Checks, database: Database) -> None:
    screen = Screen()
    call_id = _new_call(database)
    confirmed = ItemConfirmed("identity_name", 1, ())

    async def scenario() -> None:
        pipeline = CallPipeline(ScriptedEngine(), checks, database=database, bus=screen)
        async with pipeline.call(call_id, POLICY) as run:
            run.on_session_event(PromptPlayed("请问您是王秀英女士本人吗？", PromptPurpose.ASK,
                                              "identity_name", "/tmp/p.wav", 1000, 3500,
                                              PromptEnd.FINISHED))
            run.on_session_event(_said(TranscriptKind.FINAL, "是的"))
            run.on_session_event(confirmed)
            assert run._recorder is not None
            await run._recorder.flushed()
            with database.session() as session:  # the answer is stored before the call ends
                call = session.get(CallRecord, call_id)
                assert call is not None and [a.step_id for a in call.answers] == [
                    "identity_name"]
        pipeline.close()

    asyncio.run(scenario())
    said = screen.of(Transcript)
    assert [(t.leg, t.text, t.start, t.end) for t in said] == [
        ("agent", "请问您是王秀英女士本人吗？", 1.0, 3.5), ("customer", "是的", 3.0, 6.0)]
    assert screen.of(ItemConfirmed) == [confirmed]


def test_an_agents_call_checks_the_customers_identity_answer(checks: Checks) -> None:
    screen = Screen()

    async def scenario() -> list[str]:
        pipeline = CallPipeline(ScriptedEngine(), checks, bus=screen)
        async with pipeline.call(7, POLICY, identity=True) as run:
            run.on_transcript(_said(TranscriptKind.FINAL, "麻烦您说一下您的出生日期", 1.0, 3.0,
                                    "agent"))
            run.on_transcript(_said(TranscriptKind.FINAL, "一九七零年五月一号", 4.0, 6.0))
        return [f.rule_id for f in run.findings if isinstance(f, Flag)]

    assert "identity.answer_mismatch" in asyncio.run(scenario())
    assert any(h.flag.rule_id == "identity.answer_mismatch" for h in screen.of(Hint))
