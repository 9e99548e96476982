"""The cross-node event bus on one real PostgreSQL: a screen on node A sees node B's call live."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent_assist.events import Category, Flag, Hint, Leg, Severity
from asr.events import Transcript, TranscriptKind, Word
from huifang.calls.bus_wire import WireError, decode, encode
from huifang.calls.events import CallEvent, CallStage, CallStatus, ItemMarked, ItemState
from huifang.calls.pg_bus import PostgresEventBus

sys.path.insert(0, str(Path(__file__).parents[1] / "storage"))
from storage_testkit import fresh_postgres_database, postgres_cluster

FLAG = Flag("guarantee", Category.DECEPTION, "保本", Severity.HIGH, Leg.AGENT,
            "这个产品保本保息", 3.0, 4.5, (4, 8), "承诺保本", "请说明收益不确定")
EVENTS: list[CallEvent] = [
    CallStatus(CallStage.BRIDGED, "坐席 a01"),
    Transcript(TranscriptKind.FINAL, "我的电话是13812345678", 1.0, 2.5, "customer",
               (Word("我", 1.0, 1.1, 0.9),)),
    FLAG,
    Hint(FLAG, "销售误导：承诺保本", "请说明收益不确定"),
    ItemMarked("risk", ItemState.CONFIRMED, "a01"),
]


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    with postgres_cluster() as admin:
        yield fresh_postgres_database(admin)


def test_events_round_trip_the_wire_with_numbers_masked() -> None:
    for event in EVENTS:
        node, call_id, back = decode(encode("b", 7, event))
        assert (node, call_id) == ("b", 7)
        if isinstance(event, Transcript):
            assert back.text.startswith("我的电话是") and "13812345678" not in back.text  # type: ignore[union-attr]
            assert back.words == event.words  # type: ignore[union-attr]
        else:
            assert back == event
    with pytest.raises(WireError):
        decode('{"node": "b", "call": 1, "type": "Secret", "event": {}}')


def test_a_screen_on_node_a_sees_the_live_events_of_a_call_on_node_b(pg_url: str) -> None:
    node_a, node_b = PostgresEventBus(pg_url, "a"), PostgresEventBus(pg_url, "b")
    node_a.start()
    node_b.start()
    try:
        async def watch() -> list[CallEvent]:
            async with node_a.subscribe(42) as events:
                for event in EVENTS:
                    node_b.publish(42, event)
                node_b.publish(43, EVENTS[0])  # another call: not on this screen
                return [await asyncio.wait_for(events.get(), 10) for _ in EVENTS]

        seen = asyncio.run(watch())
    finally:
        node_a.close()
        node_b.close()
    assert [type(event) for event in seen] == [type(event) for event in EVENTS]
    assert seen[2] == FLAG and seen[3] == EVENTS[3]
    assert "13812345678" not in seen[1].text  # type: ignore[union-attr]
    assert node_b.received == 0  # its own events are not delivered twice
    assert node_a.received == len(EVENTS) + 1 and node_a.dropped == node_b.dropped == 0
