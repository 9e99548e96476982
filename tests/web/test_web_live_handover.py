"""A robot callback hands over to a free agent: the customer asks for a person (转人工), huifang
rings the agent who said they were free, bridges them into the same call over real SIP, and
the agent's screen shows the call's history (the robot's questions, the customer's request)
and then the live hint."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from live_call_testkit import (
    POLICY_NO,
    ScreenWatcher,
    SignedIn,
    live_server,
    sign_in,
    softphones,
    wav,
)
from sqlalchemy import select

from storage.analysis_models import CallFlag
from storage.models import CallRecord

pytestmark = pytest.mark.slow


def _handed_call(ann: SignedIn, timeout: float) -> int:
    """The call that appears on ann's list once it is handed to her."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        calls = ann.client.get("/api/calls").json()
        if calls:
            call_id: int = calls[0]["id"]
            return call_id
        time.sleep(0.2)
    raise AssertionError("no call was handed to ann")


def test_a_robot_callback_hands_over_with_its_history_on_the_agents_screen(
        tmp_path: Path) -> None:
    # The customer's last line answers the agent's last, then the customer hangs up (a reply
    # left waiting for an agent with nothing more to say held the call open for 90 s).
    customer_turns = [f"reply:{wav('customer_human.wav')}", f"reply:{wav('customer_01.wav')}",
                      f"reply:{wav('customer_03.wav')}", f"reply:{wav('customer_04.wav')}"]
    agent_turns = [f"after:1.0:{wav('agent_human.wav')}", f"reply:{wav('agent_04.wav')}",
                   f"reply:{wav('agent_05.wav')}"]
    misleading = {"induce.guaranteed_return", "deceive.as_deposit"}  # 保本保息, 跟存款一样
    with live_server(tmp_path) as rig, softphones(agent_turns, customer_turns) as (agent, customer):
        ann, sam = sign_in(rig.base, "ann"), sign_in(rig.base, "sam")
        free = ann.client.put("/api/live/availability", json={"agent_uri": agent.uri},
                              headers={"X-CSRF-Token": ann.csrf})
        assert free.json() == {"free": True}
        assert ann.post("/api/live/robot-callbacks", {"policy_no": POLICY_NO}).status_code == 403
        started = sam.post("/api/live/robot-callbacks", {"policy_no": POLICY_NO,
                                                         "customer_uri": customer.uri})
        assert started.status_code == 202, started.text
        call_id = started.json()["call_id"]
        assert _handed_call(ann, 120) == call_id
        assert ann.client.get("/api/live/availability").json() == {"free": False}  # taken
        screen = ScreenWatcher(rig.base, ann, call_id)
        try:
            _, hint = screen.wait_for("Hint", 120)
            screen.wait_for("CallStatus", 120, stage="ended")
        finally:
            screen.close()
    types = [message["type"] for _, message in screen.seen]
    # The history came first: the robot's questions as the agent leg, the request, the transfer.
    transfer = types.index("TransferToHuman")
    assert types.index("Prompt") < transfer < types.index("Hint")
    robot_said = [e["text"] for e in screen.events("Transcript") if e["leg"] == "agent"]
    assert any("王秀英" in text for text in robot_said)
    # The request itself is in the history, before the transfer, as the recogniser heard it:
    # 我要转人工 in a quiet run, 我要帅爷功夫 in one CI run on a loaded machine (2026-12-07), which
    # the robot still understood (the second listen and the learned guess read it).
    asked = [m["event"]["text"] for _, m in screen.seen[:transfer]
             if m["type"] == "Transcript" and m["event"]["leg"] == "customer"]
    assert any(asked), screen.seen[:transfer]
    stages = [e["stage"] for e in screen.events("CallStatus")]
    assert stages[-3:] == ["dialling_agent", "bridged", "ended"]
    assert hint["flag"]["leg"] == "customer" and hint["flag"]["rule_id"] in misleading
    with rig.db.session() as session:
        call = session.get(CallRecord, call_id)
        assert call is not None and call.agent is not None
        assert call.agent.username == "ann"
        assert call.dialogue_outcome == "transferred"
        rules = session.scalars(select(CallFlag.rule_id).where(CallFlag.call_id == call_id))
        assert set(rules) & misleading
