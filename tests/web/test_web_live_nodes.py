"""An agent signed in on node A sees the live hint of a call handled on node B: both nodes'
buses on one real PostgreSQL (LISTEN/NOTIFY), the screen's database the same server."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_testkit import sample_hint, seeded_app, sign_in

from asr.events import Transcript, TranscriptKind
from huifang.calls.pg_bus import PostgresEventBus

sys.path.insert(0, str(Path(__file__).parents[1] / "storage"))
from storage_testkit import fresh_postgres_database, postgres_cluster


@pytest.fixture(scope="module")
def pg_admin() -> Iterator[str]:
    with postgres_cluster() as url:
        yield url


def test_a_screen_on_node_a_shows_the_hint_of_a_call_on_node_b(
        tmp_path: Path, pg_admin: str) -> None:
    url = fresh_postgres_database(pg_admin)
    node_a, node_b = PostgresEventBus(url, "node-a"), PostgresEventBus(url, "node-b")
    node_a.start()
    node_b.start()
    try:
        with seeded_app(tmp_path, db_url=url) as (app, _, call_of):
            app.state.event_bus = node_a  # the screens of node A
            with TestClient(app) as client:
                sign_in(client, "ann")
                call_id = call_of["ann"]
                with client.websocket_connect(f"/ws/calls/{call_id}") as socket:
                    assert socket.receive_json() == {"type": "subscribed", "call_id": call_id}
                    said = Transcript(TranscriptKind.FINAL, "手机13812345678", 0.0, 1.0,
                                      "customer")
                    node_b.publish(call_id, said)  # the call's pipeline runs on node B
                    node_b.publish(call_id, sample_hint())
                    heard, hint = socket.receive_json(), socket.receive_json()
    finally:
        node_a.close()
        node_b.close()
    assert heard["type"] == "Transcript" and "13812345678" not in heard["event"]["text"]
    assert hint["type"] == "Hint" and hint["event"]["message"] == sample_hint().message
    assert hint["event"]["flag"]["span"] == [6, 10]
