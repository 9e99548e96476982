"""A screen opened mid-call first gets the call's settled events so far, then the live ones."""

from __future__ import annotations

import asyncio

from web_testkit import sample_hint

from asr.events import Transcript, TranscriptKind
from huifang.calls.bus import InProcessEventBus
from huifang.calls.events import AgentNote, CallEvent, CallStage, CallStatus


def _drain(queue: asyncio.Queue[CallEvent]) -> list[CallEvent]:
    return [queue.get_nowait() for _ in range(queue.qsize())]


def test_a_late_screen_gets_the_settled_events_in_order_without_partials() -> None:
    partial = Transcript(TranscriptKind.PARTIAL, "业务员", 1.0, 2.0, "customer")
    final = Transcript(TranscriptKind.FINAL, "业务员说保本", 1.0, 3.0, "customer")

    async def scenario() -> list[CallEvent]:
        bus = InProcessEventBus()
        bus.publish(7, CallStatus(CallStage.BRIDGED))
        bus.publish(7, partial)
        bus.publish(7, final)
        bus.publish(8, sample_hint())  # another call's
        async with bus.subscribe(7) as events:
            bus.publish(7, CallStatus(CallStage.ENDED))
            await asyncio.sleep(0)
            return _drain(events)

    bridged, ended = CallStatus(CallStage.BRIDGED), CallStatus(CallStage.ENDED)
    assert asyncio.run(scenario()) == [bridged, final, ended]


def test_history_is_bounded_per_call_and_in_calls() -> None:
    async def scenario() -> tuple[list[CallEvent], list[CallEvent]]:
        bus = InProcessEventBus(history_size=2, calls_kept=1)
        for stage in ("a", "b", "c"):
            bus.publish(1, AgentNote(stage, "ann"))
        bus.publish(2, AgentNote("other", "ann"))  # call 1's history is dropped: one call kept
        async with bus.subscribe(1) as first, bus.subscribe(2) as second:
            return _drain(first), _drain(second)

    assert asyncio.run(scenario()) == ([], [AgentNote("other", "ann")])


def test_a_bounded_history_keeps_the_latest() -> None:
    async def scenario() -> list[CallEvent]:
        bus = InProcessEventBus(history_size=2)
        for stage in ("a", "b", "c"):
            bus.publish(1, AgentNote(stage, "ann"))
        async with bus.subscribe(1) as events:
            return _drain(events)

    assert asyncio.run(scenario()) == [AgentNote("b", "ann"), AgentNote("c", "ann")]
