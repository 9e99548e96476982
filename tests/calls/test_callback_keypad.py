"""A customer who answers by keypad only confirms all seven items over real SIP, once per codec.

Each call offers one codec on both sides (HUIFANG_SIP_CODECS, the peer's --codec), so the call
must negotiate it; the recording is checked by content: prompts on the system channel when the
events say they played, and a silent customer channel (keys travel as RFC 4733 events).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from callback_testkit import CustomerPeer, call_env, policy_file, run_call
from recording_testkit import RECORDING_RATE, check_legs, check_recording

pytestmark = pytest.mark.slow
# Presses 1 after the first question, then keys a second into each later question.
KEYPAD_TURNS = ("end:key:1", "start+1:key:4021", *["start+1:key:1"] * 6)


@pytest.mark.parametrize("codec", ["PCMU", "G722", "L16"])
def test_keypad_customer_confirms_all_seven_items(codec: str, tmp_path: Path) -> None:
    peer = CustomerPeer(*KEYPAD_TURNS, codec=codec)
    try:
        run = run_call([peer.uri, "--policy-json", str(policy_file(tmp_path))],
                       call_env(tmp_path / "rec", HUIFANG_SIP_CODECS=json.dumps([codec])),
                       timeout=90)
    finally:
        peer.kill()
    assert run.status == 0, run.stderr
    outcome = run.outcome
    assert outcome is not None
    assert outcome["completed"] is True
    assert outcome["call"]["outcome"] == "completed"
    assert outcome["media"]["codec"] == codec
    assert outcome["media"]["tap_sample_rate"] == RECORDING_RATE
    assert [e["codec"] for e in peer.seen if e["event"] == "media"] == [codec]
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
    recording, _ = check_recording(outcome, answers=[])
    with pytest.raises(AssertionError, match="system channel"):
        check_legs(recording.swapped(), outcome["events"], answers=[])
