"""`huifang serve` answers real callers: the caller's policy's script, a prompt for strangers,
486 when every line is taken, and a clean stop on SIGTERM; every call stored as inbound."""

from __future__ import annotations

import wave
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from callback_testkit import CustomerPeer, call_env
from stored_testkit import CallbackServer, db_url, import_policies, open_db, policy_row

from storage.models import CallDirection
from storage.repository import Repository

pytestmark = pytest.mark.slow
KEYPAD_YES = ("end:key:1", "start+1:key:4021", *["start+1:key:1"] * 6)
SEVEN_ITEMS_AND_IDENTITY = 8


def _policies() -> list[dict[str, str]]:
    """One number with one policy; one with three: 犹豫期 ending in 5 days, in 13, and passed."""
    return [
        policy_row("P2026000601", "13800001234"),
        policy_row("P2026000602", "13900005678", received_days_ago=10),
        policy_row("P2026000603", "13900005678", received_days_ago=2),
        policy_row("P2026000604", "13900005678", received_days_ago=20),
    ]


def _serve(directory: Path, *more: dict[str, str], **settings: str) -> tuple[CallbackServer, str]:
    url = db_url(directory)
    env = call_env(directory / "rec", HUIFANG_DB_URL=url, **settings)
    import_policies(directory, [*_policies(), *more], env)
    return CallbackServer(env), url


@pytest.fixture(scope="module")
def line(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CallbackServer, str]]:
    """A server taking two calls at once, over a database holding _policies()."""
    server, url = _serve(tmp_path_factory.mktemp("line"), HUIFANG_SERVE_MAX_CALLS="2")
    yield server, url
    server.kill()


def _stored(url: str, call_id: int) -> dict[str, Any]:
    database = open_db(url)
    try:
        with database.session() as session:
            call = Repository(session).call(call_id)
            assert call is not None
            return {
                "direction": call.direction, "sip_uri": call.sip_uri, "outcome": call.outcome,
                "policy_no": call.policy.policy_no if call.policy else None,
                "dialogue_outcome": call.dialogue_outcome, "ended": call.ended_at is not None,
                "recording": call.recording_path,
                "verdicts": [a.verdict.value for a in call.answers],
            }
    finally:
        database.close()


def _disconnected(peer: CustomerPeer) -> dict[str, Any]:
    """The peer's call state once the call is over."""
    state = peer.wait_for("state", 20)
    while state["state"] != "DISCONNECTED":
        state = peer.wait_for("state", 20)
    return state


def _peer(server: CallbackServer, number: str, *turns: str) -> CustomerPeer:
    return CustomerPeer(*turns, dial=server.uri(), user=number)


def test_known_callers_at_once_get_their_scripts_and_a_third_hears_busy(
        line: tuple[CallbackServer, str]) -> None:
    server, url = line
    callers = {"13800001234": _peer(server, "13800001234", *KEYPAD_YES),
               "13900005678": _peer(server, "13900005678", *KEYPAD_YES)}
    try:
        for peer in callers.values():
            peer.wait_for("media", 20)
        extra = _peer(server, "13700009999")
        try:
            assert _disconnected(extra)["code"] == 486
        finally:
            extra.kill()
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda p: p.wait_for("ended", 120), callers.values()))
        lines = [server.next_call(30) for _ in range(3)]
    finally:
        for peer in callers.values():
            peer.kill()
    by_handling: dict[str, list[dict[str, Any]]] = {}
    for entry in lines:
        by_handling.setdefault(entry["handling"], []).append(entry)
    (busy,) = by_handling["busy"]
    assert busy["call"]["outcome"] == "busy" and busy["policy_no"] is None
    assert "13700009999" not in busy["caller"]  # masked on stdout
    scripts = {entry["policy_no"]: entry for entry in by_handling["script"]}
    # The number holding three policies: the nearest deadline not yet passed.
    assert set(scripts) == {"P2026000601", "P2026000602"}
    for policy_no, entry in scripts.items():
        assert entry["completed"] is True
        assert entry["dialogue"]["outcome"] == "all_confirmed"
        stored = _stored(url, entry["call_id"])
        assert stored["direction"] is CallDirection.INBOUND
        assert stored["policy_no"] == policy_no
        assert stored["outcome"] == "completed" and stored["ended"]
        assert stored["dialogue_outcome"] == "all_confirmed"
        assert stored["verdicts"] == ["confirmed"] * SEVEN_ITEMS_AND_IDENTITY
        assert Path(stored["recording"]).exists()
    numbers = {_stored(url, e["call_id"])["sip_uri"] for e in scripts.values()}
    assert {n.split("@")[0].split(":")[-1] for n in numbers} == set(callers)
    assert _stored(url, busy["call_id"])["outcome"] == "busy"


def test_unknown_caller_hears_the_prompt_and_is_stored_without_a_policy(
        line: tuple[CallbackServer, str]) -> None:
    server, url = line
    peer = _peer(server, "13700001111", "start+1:key:1")  # keys once a prompt has sounded 1 s
    try:
        peer.wait_for("turn", 30)
        peer.wait_for("ended", 30)
    finally:
        peer.kill()
    entry = server.next_call(30)
    assert entry["handling"] == "unknown_caller"
    assert entry["policy_no"] is None
    assert entry["call"]["outcome"] == "completed"  # answered, and we hung up after the prompt
    stored = _stored(url, entry["call_id"])
    assert stored["direction"] is CallDirection.INBOUND
    assert stored["policy_no"] is None and "13700001111" in stored["sip_uri"]
    assert stored["verdicts"] == [] and stored["dialogue_outcome"] is None
    with wave.open(stored["recording"], "rb") as recording:
        pcm = np.frombuffer(recording.readframes(recording.getnframes()), dtype="<i2")
        rate = recording.getframerate()
    ours = pcm.reshape(-1, 2)[:, 0].astype(np.float64)
    loud = [np.sqrt(np.mean(ours[i:i + rate // 50] ** 2)) > 300
            for i in range(0, len(ours), rate // 50)]
    assert sum(loud) * 0.02 > 1.5  # the prompt is on our channel (seconds of speech)


def test_four_calls_at_once_a_fifth_hears_busy_and_sigterm_stores_them_all(
        tmp_path: Path) -> None:
    """pjsua2's cap (4 calls a process) is the default: the 5th caller gets 486, stored."""
    server, url = _serve(tmp_path, policy_row("P2026000605", "13700001111"),
                         policy_row("P2026000606", "13700002222"))
    callers = [_peer(server, number, *KEYPAD_YES) for number in
               ("13800001234", "13900005678", "13700001111", "13700002222")]
    try:
        for peer in callers:  # every script is under way: its first item answered and past
            peer.wait_for("turn", 30)
            peer.wait_for("turn", 30)
        fifth = _peer(server, "13700003333")
        try:
            assert _disconnected(fifth)["code"] == 486
        finally:
            fifth.kill()
        assert server.terminate() == 0, server.stderr
        for peer in callers:
            _disconnected(peer)
    finally:
        for peer in callers:
            peer.kill()
        server.kill()
    lines = [server.next_call(5) for _ in range(len(callers) + 1)]
    assert server.calls.empty()
    # Refused by the SIP layer before it became a call, and stored all the same.
    (busy,) = [e for e in lines if e["handling"] == "busy"]
    assert (busy["call"]["outcome"], busy["call"]["status_code"]) == ("busy", 486)
    assert _stored(url, busy["call_id"])["outcome"] == "busy"
    lines.remove(busy)
    assert sorted(e["policy_no"] for e in lines) == [
        "P2026000601", "P2026000602", "P2026000605", "P2026000606"]
    for entry in lines:
        assert entry["dialogue"]["outcome"] == "hung_up"
        stored = _stored(url, entry["call_id"])
        assert stored["ended"] and stored["direction"] is CallDirection.INBOUND
        assert stored["dialogue_outcome"] == "hung_up"
        assert "confirmed" in stored["verdicts"]  # answers given before the stop are kept
    assert "stopped" in server.stderr


def test_unknown_caller_is_transferred_when_a_transfer_uri_is_set(tmp_path: Path) -> None:
    agent = CustomerPeer(user="agent")  # a human agent's phone: answers and listens
    server, url = _serve(tmp_path, HUIFANG_CALLBACK_TRANSFER_URI=agent.uri)
    peer = _peer(server, "13700004444")
    try:
        agent.wait_for_state("CONFIRMED", 90)
        entry = server.next_call(30)
    finally:
        peer.kill()
        agent.kill()
        server.kill()
    assert entry["handling"] == "unknown_caller" and entry["policy_no"] is None
    assert entry["call"]["outcome"] == "transferred"
    stored = _stored(url, entry["call_id"])
    assert stored["outcome"] == "transferred" and stored["policy_no"] is None
