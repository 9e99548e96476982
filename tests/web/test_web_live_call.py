"""A live call end to end: an agent starts a callback from the API, huifang rings the agent's
softphone and the customer's phone over real SIP, bridges them, Whisper transcribes both legs,
and the customer's misleading-sale statement reaches the agent screen's websocket as a hint.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from live_call_testkit import (
    POLICY_NO,
    ScreenWatcher,
    from_customer,
    live_server,
    sign_in,
    softphones,
    wav,
)
from sqlalchemy import select

from storage.analysis_models import CallFlag
from storage.models import CallRecord

pytestmark = pytest.mark.slow


def test_a_misleading_sale_on_the_customer_leg_reaches_the_agent_screen(tmp_path: Path) -> None:
    # 保本保息, then 跟存款一样: how Whisper hears a live line varies from run to run.
    customer_turns = [f"after:1.0:{wav('customer_03.wav')}", f"reply:{wav('customer_04.wav')}"]
    agent_turns = [f"reply:{wav('agent_04.wav')}"]
    with live_server(tmp_path) as rig, softphones(agent_turns, customer_turns) as (agent, customer):
        ann = sign_in(rig.base, "ann")
        started = ann.post("/api/live/callbacks", {"policy_no": POLICY_NO,
                                                   "agent_uri": agent.uri,
                                                   "customer_uri": customer.uri})
        assert started.status_code == 202, started.text
        call_id = started.json()["call_id"]
        screen = ScreenWatcher(rig.base, ann, call_id)
        try:
            _, hint = screen.wait_for("Hint", 90, where=from_customer)
            screen.wait_for("CallStatus", 90, stage="ended")
        finally:
            screen.close()
        # The other agent may not watch it.
        bob = sign_in(rig.base, "bob")
        assert bob.client.get(f"/api/calls/{call_id}").status_code == 404
    # Whisper hears 保本保息 in many ways (报喷暴息, 宝贝保溪 …): the rules match them by pinyin.
    assert hint["flag"]["rule_id"] in {"induce.guaranteed_return", "deceive.as_deposit"}
    customer_finals = [e["text"] for e in screen.events("Transcript")
                       if e["kind"] == "final" and e["leg"] == "customer"]
    assert hint["flag"]["text"] in customer_finals  # the evidence is what the customer said
    start, end = hint["flag"]["span"]  # the evidence: where in the words the rule matched
    assert 0 <= start < end <= len(hint["flag"]["text"])
    assert hint["suggested_wording"]
    stages = [e["stage"] for e in screen.events("CallStatus")]
    assert stages == ["dialling_agent", "dialling_customer", "bridged", "ended"]
    finals = [e for e in screen.events("Transcript") if e["kind"] == "final"]
    assert {e["leg"] for e in finals} == {"customer", "agent"}  # both legs, separately
    agent_words = "".join(e["text"] for e in finals if e["leg"] == "agent")
    assert "分红" in agent_words or "收益" in agent_words
    with rig.db.session() as session:
        call = session.get(CallRecord, call_id)
        assert call is not None and call.agent is not None
        assert call.agent.username == "ann"
        assert call.ended_at is not None and call.outcome == "peer_hung_up"  # the customer hung up
        assert call.recording_path and Path(call.recording_path).exists()
        stored = session.scalars(select(CallFlag).where(CallFlag.call_id == call_id)).all()
        assert any(flag.rule_id == hint["flag"]["rule_id"] for flag in stored)
