"""`huifang call --policy NO`: a callback to an imported policy, stored with its answers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import wave
from pathlib import Path

import pytest
from callback_testkit import ROOT, CustomerPeer, call_env, run_call, spoken_answer
from sqlalchemy import select
from stored_testkit import db_url, import_policies, open_db, policy_row

from ivr.wav_stream import recover_recordings
from storage.models import CallDirection, CallRecord, Policy, ProblemCase
from storage.repository import Repository

pytestmark = pytest.mark.slow
UNSURE = "我没听懂，不太清楚"


def test_call_by_policy_number_stores_answers_and_a_problem_case(tmp_path: Path) -> None:
    url = db_url(tmp_path)
    env = call_env(tmp_path / "rec", HUIFANG_DB_URL=url)
    import_policies(tmp_path, [policy_row("P2026000501", "13800001234")], env)
    unsure = f"start+1:say:{spoken_answer(UNSURE, tmp_path / 'answers')}"
    # Keys for every item but surrender loss, where the customer says twice that she is unsure.
    turns = ["end:key:1", "start+1:key:4021", *["start+1:key:1"] * 3, unsure, unsure,
             *["start+1:key:1"] * 2]
    peer = CustomerPeer(*turns)
    try:
        run = run_call([peer.uri, "--policy", "p2026000501"], env, timeout=120)
    finally:
        peer.kill()
    assert run.status == 0, run.stderr
    outcome = run.outcome
    assert outcome is not None
    assert outcome["dialogue"]["outcome"] == "completed_with_problems", outcome["dialogue"]
    database = open_db(url)
    try:
        with database.session() as session:
            call = Repository(session).call(outcome["call_id"])
            assert call is not None
            assert call.direction is CallDirection.OUTBOUND
            assert call.sip_uri == peer.uri
            assert call.policy is not None and call.policy.policy_no == "P2026000501"
            assert call.outcome == "completed"
            assert call.dialogue_outcome == "completed_with_problems"
            assert call.ended_at is not None and call.ended_at > call.started_at
            assert call.recording_path == outcome["call"]["recording"]
            assert call.recording_path and Path(call.recording_path).stat().st_size > 44
            verdicts = {a.step_id: a.verdict.value for a in call.answers}
            assert verdicts["surrender_loss"] == "problem"
            assert [s for s, v in verdicts.items() if v == "confirmed"] == [
                "identity_name", "identity_record", "purchase_and_signature", "documents_read",
                "coverage_exclusions_term", "cooling_off", "payment_period"]
            keys = [e.text for a in call.answers for e in a.evidence if e.source == "dtmf"]
            assert keys == ["1", "4021", "1", "1", "1", "1", "1"]
            surrender = next(a for a in call.answers if a.step_id == "surrender_loss")
            assert surrender.item == 5 and surrender.reason == "unsure"
            spoken = [e for e in surrender.evidence if e.source == "speech"]
            assert len(spoken) == 2
            assert all("清楚" in e.text and e.answer_class == "unsure" for e in spoken)
            assert all(0 < e.start_ms < e.end_ms for e in spoken)
            (case,) = Repository(session).problem_cases(call.policy)
            assert (case.call_id, case.item_answer_id) == (call.id, surrender.id)
            assert case.status.value == "open" and case.reason == "unsure"
    finally:
        database.close()


def test_unknown_policy_number_exits_2_and_stores_nothing(tmp_path: Path) -> None:
    url = db_url(tmp_path)
    env = call_env(tmp_path / "rec", HUIFANG_DB_URL=url)
    import_policies(tmp_path, [policy_row("P2026000502", "13800001235")], env)
    done = subprocess.run(
        [sys.executable, "-m", "huifang", "call", "sip:13800001235@127.0.0.1:9", "--policy",
         "P2026999999"], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60,
        check=False)
    assert done.returncode == 2, done.stderr
    assert "P2026999999" in done.stderr and "no policy" in done.stderr
    assert done.stdout == ""
    database = open_db(url)
    try:
        with database.session() as session:
            assert session.scalars(select(CallRecord)).all() == []
            assert session.scalars(select(ProblemCase)).all() == []
            assert len(session.scalars(select(Policy)).all()) == 1
    finally:
        database.close()


def test_a_killed_call_leaves_its_started_record_and_recording(tmp_path: Path) -> None:
    """The record is stored before the INVITE, with the path its recording is written to, so
    after a SIGKILL the record still leads to the recording that start-up recovery repairs."""
    url = db_url(tmp_path)
    env = call_env(tmp_path / "rec", HUIFANG_DB_URL=url)
    import_policies(tmp_path, [policy_row("P2026000503", "13800001236")], env)
    peer = CustomerPeer("end:key:1")
    proc = subprocess.Popen([sys.executable, "-m", "huifang", "call", peer.uri, "--policy",
                             "P2026000503"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, cwd=ROOT, env=env, start_new_session=True)
    try:
        peer.wait_for("turn", 60)  # the script is under way
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        peer.kill()
    database = open_db(url)
    try:
        with database.session() as session:
            (call,) = session.scalars(select(CallRecord)).all()
            assert call.policy is not None and call.policy.policy_no == "P2026000503"
            assert call.direction is CallDirection.OUTBOUND and call.sip_uri == peer.uri
            assert call.started_at is not None
            assert (call.ended_at, call.outcome) == (None, None)
            # Answers are written as they come: the first item's, if it came before the kill.
            assert [a.step_id for a in call.answers] in ([], ["identity_name"])
            assert call.recording_path is not None
            recording = Path(call.recording_path)
    finally:
        database.close()
    assert recording.parent == tmp_path / "rec" and f"call-{call.id}-" in recording.name
    assert recover_recordings(tmp_path / "rec") == [recording]
    with wave.open(str(recording), "rb") as wav:
        assert wav.getnchannels() == 2 and wav.getnframes() > wav.getframerate() // 2
