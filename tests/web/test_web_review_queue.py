"""The review queue on the server: sorted, paged and counted; where a call stands in it (the
workbench's previous and next); saved filters; a recording's energy lanes; the stored
transcript the workbench reads, and which pass it is."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest
from review_testkit import PROMISE, PROMISE_SPAN, seed_flagged_calls, seed_review
from web_testkit import WebRig, sign_in, web_rig

from asr.events import Transcript, TranscriptKind
from huifang.web.recording_energy import recording_energy
from storage.transcript_models import TranscriptPass
from storage.transcripts import add_utterance, replace_transcript

SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2}


def _queue(rig: WebRig, **params: str | int) -> tuple[list[dict[str, object]], int]:
    response = rig.client.get("/api/review/queue", params=params)
    assert response.status_code == 200, response.text
    return response.json(), int(response.headers["X-Total-Count"])


def test_the_queue_is_sorted_paged_and_counted_on_the_server(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        seed_review(rig.db, rig.call_of, tmp_path)
        seed_flagged_calls(rig.db, 30)
        sign_in(rig.client, "rita")
        first, total = _queue(rig, limit=10)
        assert len(first) == 10 and total == 32
        pages = [_queue(rig, limit=10, offset=offset)[0] for offset in (0, 10, 20, 30)]
        ids = [item["id"] for page in pages for item in page]
        assert len(ids) == len(set(ids)) == 32
        started = [item["started_at"] for item in _queue(rig, sort="started_at", order="asc",
                                                           limit=50)[0]]  # fmt: skip
        assert started == sorted(started)  # type: ignore[type-var]
        severe = [SEVERITY_RANK[str(i["top_severity"])] for i in _queue(rig, sort="severity")[0]]
        assert severe == sorted(severe, reverse=True) and severe[-1] < severe[0]
        pending = [i["undecided"] for i in _queue(rig, sort="undecided", order="asc")[0]]
        assert pending == sorted(pending)  # type: ignore[type-var]
        sellers = [str(i["salesperson"]) for i in _queue(rig, sort="salesperson", order="asc")[0]]
        assert sellers == sorted(sellers)
        high, high_total = _queue(rig, severity="high", limit=5)
        assert len(high) == 5 and high_total < total
        assert rig.client.get("/api/review/queue", params={"sort": "name"}).status_code == 422
        assert rig.client.get("/api/review/queue", params={"order": "up"}).status_code == 422


def test_the_workbench_steps_through_the_queue_as_filtered_and_sorted(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        seed_review(rig.db, rig.call_of, tmp_path)
        seed_flagged_calls(rig.db, 8)
        sign_in(rig.client, "rita")
        params = {"sort": "started_at", "order": "asc", "severity": "medium"}
        ids = [item["id"] for item in _queue(rig, **params, limit=100)[0]]

        def around(call_id: object) -> dict[str, object]:
            response = rig.client.get(f"/api/review/queue/around/{call_id}", params=params)
            assert response.status_code == 200, response.text
            return dict(response.json())

        assert around(ids[0]) == {"position": 1, "total": len(ids), "previous": None,
                                  "next": ids[1]}  # fmt: skip
        assert around(ids[2])["previous"] == ids[1] and around(ids[2])["next"] == ids[3]
        assert around(ids[-1])["next"] is None
        # bob's call has only a medium voice cue: in this queue; with severity=high it is not,
        # and the workbench's "next" is then the queue's first call.
        params["severity"] = "high"
        outside = around(rig.call_of["bob"])
        assert outside["position"] is None and outside["next"] is not None


def test_saved_filters_are_each_users_own(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        csrf = {"X-CSRF-Token": sign_in(rig.client, "rita")}
        body = {"page": "review", "name": "高风险待处理", "query": "severity=high&undecided=true"}
        saved = rig.client.put("/api/me/filters", json=body, headers=csrf)
        assert saved.status_code == 200, saved.text
        again = rig.client.put("/api/me/filters", headers=csrf,
                               json=body | {"query": "severity=high"})  # fmt: skip
        assert again.json()["id"] == saved.json()["id"]
        listed = rig.client.get("/api/me/filters", params={"page": "review"}).json()
        assert [(f["name"], f["query"]) for f in listed] == [("高风险待处理", "severity=high")]
        assert rig.client.put("/api/me/filters", json=body).status_code == 403  # no CSRF
        assert rig.client.put("/api/me/filters", headers=csrf,
                              json=body | {"page": "Review!"}).status_code == 422
        for blank in (" ", "\u3000", "\x85"):  # no name once stripped (a fuzzer's 500 before)
            refused = rig.client.put("/api/me/filters", headers=csrf, json=body | {"name": blank})
            assert refused.status_code == 422, (blank, refused.text)
        padded = rig.client.put("/api/me/filters", headers=csrf,
                                json=body | {"name": " 高风险待处理 "})
        assert padded.json()["id"] == saved.json()["id"]  # the same name, stripped
        sam = {"X-CSRF-Token": sign_in(rig.client, "sam")}
        assert rig.client.get("/api/me/filters", params={"page": "review"}).json() == []
        gone = rig.client.delete(f"/api/me/filters/{saved.json()['id']}", headers=sam)
        assert gone.status_code == 404
        csrf = {"X-CSRF-Token": sign_in(rig.client, "rita")}
        gone = rig.client.delete(f"/api/me/filters/{saved.json()['id']}", headers=csrf)
        assert gone.status_code == 204
        assert rig.client.get("/api/me/filters", params={"page": "review"}).json() == []


def _stereo(path: Path, agent: np.ndarray, customer: np.ndarray, rate: int = 8000) -> Path:
    frames = np.stack([agent, customer], axis=1).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames.tobytes())
    return path


def test_the_energy_lanes_follow_each_legs_speech(tmp_path: Path) -> None:
    rate = 8000
    t = np.arange(4 * rate) / rate
    tone = (8000 * np.sin(2 * np.pi * 300 * t)).astype(np.int16)
    agent = np.where(t < 2, tone, 0)  # the agent speaks first, then the customer
    customer = np.where(t >= 2, tone, 0)
    energy = recording_energy(_stereo(tmp_path / "call.wav", agent, customer), buckets=8)
    assert energy.duration_ms == 4000
    assert set(energy.legs) == {"agent", "customer"}
    # A sine of amplitude 8000/32768 has an RMS of -15.3 dBFS: (60 - 15.3) / 60.
    assert energy.legs["agent"][:4] == pytest.approx([0.746] * 4, abs=0.005)
    assert max(energy.legs["agent"][4:]) == 0.0
    assert max(energy.legs["customer"][:4]) == 0.0
    assert energy.legs["customer"][4:] == pytest.approx([0.746] * 4, abs=0.005)


def test_the_energy_api_serves_the_recordings_lanes(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        seed_review(rig.db, rig.call_of, tmp_path)  # ann's recording: a 2 s mono tone
        sign_in(rig.client, "rita")
        energy = rig.client.get(f"/api/review/calls/{rig.call_of['ann']}/energy",
                                params={"points": 20}).json()  # fmt: skip
        assert energy["duration_ms"] == 2000 and len(energy["legs"]["mix"]) == 20
        assert min(energy["legs"]["mix"]) > 0.7
        assert rig.client.get(f"/api/review/calls/{rig.call_of['bob']}/energy").status_code == 404
        sign_in(rig.client, "ann")
        assert rig.client.get(f"/api/review/calls/{rig.call_of['ann']}/energy").status_code == 403


def _said(leg: str, text: str, start: float, end: float) -> Transcript:
    return Transcript(TranscriptKind.FINAL, text, start, end, leg)


def test_the_review_reads_the_stored_transcript_and_says_which_pass(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        seed = seed_review(rig.db, rig.call_of, tmp_path)
        ann = rig.call_of["ann"]
        with rig.db.session() as session:
            add_utterance(session, ann, _said("agent", "您好，这里是回访中心", 0.0, 0.4))
            add_utterance(session, ann, _said("customer", PROMISE, 0.5, 1.5))
        sign_in(rig.client, "rita")
        call = rig.client.get(f"/api/review/calls/{ann}").json()
        assert call["transcript_pass"] == "live"
        lines = [(line["leg"], line["start_ms"]) for line in call["transcript"]]
        assert lines == [("agent", 0), ("customer", 500)]
        marks = call["transcript"][1]["marks"]
        assert [(m["start"], m["end"], m["flag_id"]) for m in marks] == [
            (*PROMISE_SPAN, seed.promise_flag)]
        # The whole-call pass heard it differently: it is shown, and the flag keeps its words.
        with rig.db.session() as session:
            replace_transcript(session, ann, TranscriptPass.AFTER_CALL, [
                _said("agent", "您好，这里是回访中心。", 0.0, 0.45),
                _said("customer", "业务员说这个保本保息", 0.5, 1.2)])
        call = rig.client.get(f"/api/review/calls/{ann}").json()
        assert call["transcript_pass"] == "after_call"
        texts = [line["text"] for line in call["transcript"]]
        assert "业务员说这个保本保息" in texts
        flagged = [line for line in call["transcript"] if line["marks"]]
        assert [(line["start_ms"], line["origin"]) for line in flagged] == [(500, "flag")]
        assert flagged[0]["text"].startswith("业务员说这个保本保息，有事打他手机139")
        assert "13912345678" not in str(call)  # masked for reviewers
