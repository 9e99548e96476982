"""A finished call's stored transcript and hints for the agent screen: the agent's own calls
only, the live pass first, the hints in the websocket's event JSON, numbers masked by role."""

from __future__ import annotations

from pathlib import Path

from review_testkit import seed_review
from stored_call_testkit import store_demo_call
from web_testkit import sign_in, web_rig

from agent_assist.events import CueKind, Leg, Severity, VoiceCue
from asr.events import Transcript, TranscriptKind
from storage.analysis import store_flags
from storage.models import CallRecord
from storage.transcript_models import TranscriptPass
from storage.transcripts import add_utterance, replace_transcript


def test_the_agent_reads_their_stored_call_as_the_screen_showed_it(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        stored = store_demo_call(rig.db, rig.call_of["ann"], tmp_path)
        with rig.db.session() as session:
            call = session.get(CallRecord, stored.call_id)
            assert call is not None
            store_flags(session, call, [VoiceCue(
                kind=CueKind.GENDER_MISMATCH, severity=Severity.MEDIUM, leg=Leg.CUSTOMER,
                message="声音像男性，投保人为女性", reasons=("基频 118 Hz",), confidence=0.8)])
            # An after-call pass as well: the agent still reads what they saw live.
            replace_transcript(session, stored.call_id, TranscriptPass.AFTER_CALL, [
                Transcript(TranscriptKind.FINAL, "整通复核的文字", 0.5, 1.0, "customer")])
        sign_in(rig.client, "ann")
        transcript = rig.client.get(f"/api/calls/{stored.call_id}/transcript").json()
        assert transcript["transcript_pass"] == "live"
        assert [line["text"] for line in transcript["lines"]] == [t for _, t, _, _ in stored.lines]
        assert any(line["marks"] for line in transcript["lines"])
        hints = rig.client.get(f"/api/calls/{stored.call_id}/hints").json()
        assert [h["type"] for h in hints] == ["Hint"] * len(stored.flag_ids) + ["VoiceCue"]
        first = hints[0]["event"]
        assert first["message"].startswith("客户转述「保本保息」：诱导·")  # 业务员说…: attributed
        assert first["flag"]["leg"] == "customer" and first["flag"]["span"][1] > 0
        assert hints[-1]["event"]["reasons"] == ["基频 118 Hz"]
        # Another agent's call is not there for ann.
        assert rig.client.get(f"/api/calls/{rig.call_of['bob']}/transcript").status_code == 404
        assert rig.client.get(f"/api/calls/{rig.call_of['bob']}/hints").status_code == 404


def test_numbers_said_on_the_call_are_masked_for_agents(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        seed_review(rig.db, rig.call_of, tmp_path)  # the customer reads out 13912345678
        with rig.db.session() as session:
            add_utterance(session, rig.call_of["ann"], Transcript(
                TranscriptKind.FINAL, "我的手机是13912345678", 3.0, 4.0, "customer"))
        sign_in(rig.client, "ann")
        call = rig.call_of["ann"]
        text = rig.client.get(f"/api/calls/{call}/transcript").text
        hints = rig.client.get(f"/api/calls/{call}/hints").text
        assert "13912345678" not in text + hints
        assert "139****5678" in text and "139****5678" in hints
