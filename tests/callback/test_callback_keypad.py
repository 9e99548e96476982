"""A customer who answers by keypad only confirms all seven items over real SIP."""

from __future__ import annotations

import wave
from collections.abc import Iterator
from pathlib import Path

import pytest
from callback_testkit import CustomerPeer, call_env, policy_file, run_call

pytestmark = pytest.mark.slow


@pytest.fixture
def keypad_customer() -> Iterator[CustomerPeer]:
    """Presses 1 after the first question, then keys a second into each later question."""
    peer = CustomerPeer("end:key:1", "start+1:key:4021", *["start+1:key:1"] * 6)
    yield peer
    peer.kill()


def test_keypad_customer_confirms_all_seven_items(keypad_customer: CustomerPeer,
                                                  tmp_path: Path) -> None:
    run = run_call([keypad_customer.uri, "--policy-json", str(policy_file(tmp_path))],
                   call_env(tmp_path / "rec"), timeout=90)
    assert run.status == 0, run.stderr
    outcome = run.outcome
    assert outcome is not None
    assert outcome["completed"] is True
    assert outcome["call"]["outcome"] == "completed"
    assert outcome["dialogue"]["outcome"] == "all_confirmed"
    assert {item["item"] for item in outcome["confirmed"]} == set(range(1, 8))
    assert outcome["problems"] == []
    keys = [e["evidence"][0]["text"] for e in outcome["confirmed"]]
    assert keys == ["1", "4021", "1", "1", "1", "1", "1", "1"]
    asked = [e["step_id"] for e in run.events("callback.PromptPlayed") if e["purpose"] == "ask"]
    assert asked == [item["step_id"] for item in outcome["confirmed"]]
    assert run.events("callback.PromptPlayed")[-1]["purpose"] == "closing"
    assert run.events("callback.PromptPlayed")[-1]["end"] == "finished"
    assert outcome["audio_frames_dropped"] == 0
    with wave.open(outcome["call"]["recording"], "rb") as recording:
        assert recording.getnchannels() == 2
        assert recording.getnframes() / recording.getframerate() > 10
