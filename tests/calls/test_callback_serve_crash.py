"""`kill -9` of `huifang serve` with two calls up: the next start settles both calls."""

from __future__ import annotations

import time
import wave
from pathlib import Path
from typing import Any

import pytest
from callback_testkit import CustomerPeer, call_env
from stored_testkit import CallbackServer, db_url, import_policies, open_db, policy_row

from storage.models import CallDirection, CallRecord

pytestmark = pytest.mark.slow
KEYPAD_YES = ("end:key:1", "start+1:key:4021", *["start+1:key:1"] * 6)


def _inbound_calls(url: str) -> list[dict[str, Any]]:
    database = open_db(url)
    try:
        with database.session() as session:
            calls = session.query(CallRecord).filter(
                CallRecord.direction == CallDirection.INBOUND).order_by(CallRecord.id).all()
            return [{"id": c.id, "outcome": c.outcome, "ended": c.ended_at is not None,
                     "recording": c.recording_path,
                     "policy_no": c.policy.policy_no if c.policy else None,
                     "answers": [a.step_id for a in c.answers]} for c in calls]
    finally:
        database.close()


def _answers_stored(url: str, timeout: float) -> dict[int, list[str]]:
    """Each inbound call's stored answers, once every call has at least one."""
    deadline = time.monotonic() + timeout
    while True:
        calls = _inbound_calls(url)
        if len(calls) == 2 and all(c["answers"] for c in calls):
            return {c["id"]: c["answers"] for c in calls}
        assert time.monotonic() < deadline, f"no answer stored while the calls were up: {calls}"
        time.sleep(0.2)


def test_calls_cut_off_by_kill_9_are_settled_on_the_next_start(tmp_path: Path) -> None:
    url = db_url(tmp_path)
    env = call_env(tmp_path / "rec", HUIFANG_DB_URL=url)
    import_policies(tmp_path, [policy_row("P2026001701", "13700001701"),
                               policy_row("P2026001702", "13700001702")], env)
    server = CallbackServer(env)
    callers = [CustomerPeer(*KEYPAD_YES, dial=server.uri(), user=number)
               for number in ("13700001701", "13700001702")]
    try:
        for peer in callers:  # both scripts under way: identity answered, the next asked
            peer.wait_for("turn", 60)
            peer.wait_for("turn", 60)
        given = _answers_stored(url, 60)  # written as they happen, not at the end
        server.kill()  # SIGKILL: nothing stored at the end, nothing hung up
    finally:
        for peer in callers:
            peer.kill()
        server.kill()
    cut_off = _inbound_calls(url)
    assert [c["ended"] for c in cut_off] == [False, False], cut_off

    restarted = CallbackServer(env)  # settles before it takes a call
    try:
        settled = _inbound_calls(url)
    finally:
        assert restarted.terminate() == 0, restarted.stderr
    assert restarted.stderr.count("settled after a crash") == 2, restarted.stderr
    for call in settled:
        assert call["ended"] and call["outcome"] == "interrupted", call
        recording = Path(call["recording"])
        with wave.open(str(recording), "rb") as audio:  # repaired: a valid WAV of the call
            assert audio.getnchannels() == 2 and audio.getnframes() > audio.getframerate()
    assert sorted(c["policy_no"] for c in settled) == ["P2026001701", "P2026001702"]
    for call in settled:  # the answers given before the kill are kept (at least those seen)
        assert call["answers"][: len(given[call["id"]])] == given[call["id"]], (call, given)
