"""The agent screen's live channel: events published on the bus reach the call's websocket."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from starlette.websockets import WebSocketDisconnect
from web_testkit import WebRig, sample_hint, sign_in, web_rig

from asr.events import Transcript, TranscriptKind
from huifang.calls.bus import InProcessEventBus
from huifang.web.event_json import event_json
from scripts_zh.dialogue_events import ItemConfirmed


def test_a_published_hint_reaches_the_agents_screen(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        sign_in(rig.client, "ann")
        call_id = rig.call_of["ann"]
        with rig.client.websocket_connect(f"/ws/calls/{call_id}") as socket:
            assert socket.receive_json() == {"type": "subscribed", "call_id": call_id}
            hint = sample_hint()
            rig.bus.publish(call_id, hint)
            message = socket.receive_json()
        assert message["type"] == "Hint"
        assert message["event"]["message"] == hint.message
        assert message["event"]["flag"]["severity"] == "high"
        assert message["event"]["flag"]["span"] == [6, 10]
        assert message["event"]["flag"]["category"] == "诱导"


def test_events_of_other_calls_do_not_arrive_and_order_is_kept(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        sign_in(rig.client, "ann")
        mine, theirs = rig.call_of["ann"], rig.call_of["bob"]
        with rig.client.websocket_connect(f"/ws/calls/{mine}") as socket:
            socket.receive_json()
            rig.bus.publish(theirs, sample_hint())
            said = Transcript(TranscriptKind.FINAL, "我是本人", 1.0, 2.0, "customer")
            rig.bus.publish(mine, said)
            rig.bus.publish(mine, ItemConfirmed(step_id="identity", item=1, evidence=()))
            first, second = socket.receive_json(), socket.receive_json()
        assert first == {
            "type": "Transcript",
            "event": {"kind": "final", "text": "我是本人", "start": 1.0, "end": 2.0,
                      "leg": "customer", "words": []},
        }  # fmt: skip
        assert second["type"] == "ItemConfirmed" and second["event"]["kind"] == "item_confirmed"


def test_spoken_numbers_are_masked_for_an_agent(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        sign_in(rig.client, "ann")
        call_id = rig.call_of["ann"]
        with rig.client.websocket_connect(f"/ws/calls/{call_id}") as socket:
            socket.receive_json()
            said = Transcript(TranscriptKind.FINAL, "手机13812345678", 0.0, 1.0, "customer")
            rig.bus.publish(call_id, said)
            assert socket.receive_json()["event"]["text"] == "手机138****5678"


def _closed_with(rig: WebRig, path: str, **headers: str) -> int:
    with pytest.raises(WebSocketDisconnect) as closed, rig.client.websocket_connect(
        path, headers=headers
    ) as socket:
        socket.receive_json()
    return closed.value.code


def test_the_channel_refuses_strangers_other_agents_and_foreign_pages(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        mine, theirs = rig.call_of["ann"], rig.call_of["bob"]
        assert _closed_with(rig, f"/ws/calls/{mine}") == 4401  # not signed in
        sign_in(rig.client, "ann")
        assert _closed_with(rig, f"/ws/calls/{theirs}") == 4404
        assert _closed_with(rig, "/ws/calls/999999") == 4404
        assert _closed_with(rig, f"/ws/calls/{mine}", origin="http://evil.example") == 1008
        with rig.client.websocket_connect(
            f"/ws/calls/{mine}", headers={"origin": "http://testserver"}
        ) as socket:
            assert socket.receive_json()["type"] == "subscribed"


def test_a_closed_screen_unsubscribes(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        sign_in(rig.client, "ann")
        call_id = rig.call_of["ann"]
        with rig.client.websocket_connect(f"/ws/calls/{call_id}") as socket:
            socket.receive_json()
            assert rig.bus.subscriber_count(call_id) == 1
        for _ in range(100):  # the server notices the close on its own loop
            if rig.bus.subscriber_count(call_id) == 0:
                break
            time.sleep(0.01)
        assert rig.bus.subscriber_count(call_id) == 0


def test_a_slow_screen_loses_events_rather_than_blocking_the_call() -> None:
    async def scenario() -> tuple[int, int]:
        bus = InProcessEventBus(queue_size=2)
        async with bus.subscribe(7) as events:
            for _ in range(5):
                bus.publish(7, sample_hint())
            await asyncio.sleep(0)  # let the loop run the hand-overs
            return events.qsize(), bus.dropped

    assert asyncio.run(scenario()) == (2, 3)


def test_event_json_leaves_personal_data_for_unmasked_roles() -> None:
    said = Transcript(TranscriptKind.PARTIAL, "卡号6222020200112233445", 0.0, 1.0)
    assert event_json(said, masked=False)["event"]["text"] == "卡号6222020200112233445"
    assert event_json(said, masked=True)["event"]["text"] == "卡号***************3445"
