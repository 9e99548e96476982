"""Calls that end early or never start: a hang-up mid-prompt, and bad input to `huifang call`."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from callback_testkit import CustomerPeer, call_env, policy_file, run_call
from recording_testkit import check_recording

pytestmark = pytest.mark.slow


def test_customer_hanging_up_mid_prompt_gives_a_hung_up_outcome(tmp_path: Path) -> None:
    peer = CustomerPeer("start+2:hangup")
    try:
        run = run_call([peer.uri, "--policy-json", str(policy_file(tmp_path))],
                       call_env(tmp_path / "rec"), timeout=40)
    finally:
        peer.kill()
    assert run.status == 0, run.stderr  # answered: the script ran until the customer left
    assert run.outcome is not None
    assert run.outcome["call"]["outcome"] == "peer_hung_up"
    assert run.outcome["dialogue"]["outcome"] == "hung_up"
    played = run.events("callback.PromptPlayed")
    assert played[-1]["purpose"] == "opening"
    assert played[-1]["end"] == "call_ended"
    assert 1500 <= played[-1]["ended_ms"] <= 4000
    recording, _ = check_recording(run.outcome, answers=[])  # the opening, cut off; no voice
    assert recording.duration_ms <= played[-1]["ended_ms"] + 1000


def test_bad_uri_is_one_line_and_exit_2(tmp_path: Path) -> None:
    run = run_call(["mailto:someone", "--policy-json", str(policy_file(tmp_path))],
                   call_env(tmp_path), timeout=30)
    assert run.status == 2
    assert run.stderr.strip().count("\n") == 0
    assert "not a SIP URI" in run.stderr


def test_bad_policy_json_is_one_line_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "policy.json"
    bad.write_text('{"policy_no": "P1", ', encoding="utf-8")
    run = run_call(["sip:customer@127.0.0.1:5999", "--policy-json", str(bad)],
                   call_env(tmp_path), timeout=30)
    assert run.status == 2
    assert run.stderr.strip().count("\n") == 0
    assert "not valid JSON" in run.stderr


def test_a_taken_sip_port_is_one_line_and_exit_2(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        port = str(taken.getsockname()[1])
        run = run_call(["sip:customer@127.0.0.1:5999", "--policy-json", str(policy_file(tmp_path))],
                       call_env(tmp_path, HUIFANG_SIP_PORT=port), timeout=60)
    assert run.status == 2
    assert "huifang: error: SIP endpoint: the SIP endpoint did not start" in run.stderr
    assert "Address already in use" in run.stderr
    assert "Traceback" not in run.stderr


def test_unreachable_peer_is_one_line_and_non_zero(tmp_path: Path) -> None:
    # Nothing listens on the discard port; pjsua2 keeps retrying the INVITE until our ring
    # timeout gives up, so the outcome says no_answer. The timeout only catches a hang: the
    # command loads Whisper first, which took 20 s of the 40 once allowed on a loaded machine.
    run = run_call(["sip:customer@127.0.0.1:9", "--policy-json", str(policy_file(tmp_path))],
                   call_env(tmp_path, HUIFANG_SIP_RING_TIMEOUT_S="2"), timeout=120)
    assert run.status == 1
    assert run.stderr.strip().count("\n") == 0
    assert "call not completed" in run.stderr
    assert run.outcome is not None
    assert run.outcome["completed"] is False
    assert run.outcome["call"]["answered"] is False
    assert run.outcome["dialogue"] is None
