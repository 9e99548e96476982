"""The agent's one-click actions on a call: stored, shown live, and only on their own calls."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from web_testkit import sign_in, web_rig

from storage.live_models import AgentAction
from storage.models import ProblemCase
from storage.review_models import AuditEntry
from storage.service_models import (
    Complaint,
    ComplaintChannel,
    ComplaintKind,
    ComplaintStage,
    ServiceRequest,
)


def _headers(token: str) -> dict[str, str]:
    return {"X-CSRF-Token": token}


def test_the_script_lists_the_items_with_their_states(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        sign_in(rig.client, "ann")
        script = rig.client.get(f"/api/calls/{rig.call_of['ann']}/script").json()
    steps = script["steps"]
    assert [s["step_id"] for s in steps][:3] == ["identity_name", "identity_record",
                                                  "purchase_and_signature"]
    assert sorted({s["item"] for s in steps if s["item"]}) == list(range(1, 8))  # 期交: all 7
    assert any(s["item"] is None for s in steps)  # 分红: returns not guaranteed, an extra step
    assert all(step["prompt"] and step["state"] is None for step in steps)


def test_a_mark_is_stored_shown_live_and_overrides_the_dialogue(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        token = sign_in(rig.client, "ann")
        call_id = rig.call_of["ann"]
        with rig.client.websocket_connect(f"/ws/calls/{call_id}") as socket:
            socket.receive_json()
            response = rig.client.post(f"/api/calls/{call_id}/marks", headers=_headers(token),
                                       json={"step_id": "identity_name", "state": "problem"})
            assert response.status_code == 201, response.text
            shown = socket.receive_json()
        assert shown == {"type": "ItemMarked",
                         "event": {"step_id": "identity_name", "state": "problem", "by": "ann"}}
        script = rig.client.get(f"/api/calls/{call_id}/script").json()
        assert script["steps"][0]["state"] == "problem"
        with rig.db.session() as session:
            (action,) = session.scalars(select(AgentAction)).all()
            assert (action.kind.value, action.step_id, action.state) == ("mark", "identity_name",
                                                                        "problem")


def test_a_note_and_a_problem_case_with_one_click(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        token = sign_in(rig.client, "ann")
        call_id = rig.call_of["ann"]
        note = rig.client.post(f"/api/calls/{call_id}/notes", headers=_headers(token),
                               json={"text": "客户称业务员承诺保本，回拨号码13812345678"})
        assert note.status_code == 201, note.text
        assert note.json()["text"] == "客户称业务员承诺保本，回拨号码138****5678"  # agents: masked
        case = rig.client.post(f"/api/calls/{call_id}/problem-cases", headers=_headers(token),
                               json={"step_id": "surrender_loss", "note": "不知道退保损失"})
        assert case.status_code == 201, case.text
        case_id = case.json()["problem_case_id"]
        actions = rig.client.get(f"/api/calls/{call_id}/actions").json()
        assert [a["kind"] for a in actions] == ["note", "problem_case"]
        with rig.db.session() as session:
            row = session.get(ProblemCase, case_id)
            assert row is not None
            assert (row.call_id, row.kind, row.reason) == (call_id, "concealment", "agent_raised")
            audited = session.scalars(select(AuditEntry.action)).all()
            assert "open" in audited and "problem_case" in audited


def test_bad_steps_and_missing_csrf_are_refused(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        token = sign_in(rig.client, "ann")
        call_id = rig.call_of["ann"]
        unknown = rig.client.post(f"/api/calls/{call_id}/marks", headers=_headers(token),
                                  json={"step_id": "no_such_step", "state": "asked"})
        assert unknown.status_code == 422
        assert "no_such_step" in unknown.json()["detail"]
        bad_state = rig.client.post(f"/api/calls/{call_id}/marks", headers=_headers(token),
                                    json={"step_id": "identity_name", "state": "maybe"})
        assert bad_state.status_code == 422
        no_csrf = rig.client.post(f"/api/calls/{call_id}/notes", json={"text": "x"})
        assert no_csrf.status_code == 403
        with rig.db.session() as session:
            assert session.scalars(select(AgentAction)).all() == []


def test_an_agent_cannot_act_on_or_read_another_agents_call(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        token = sign_in(rig.client, "ann")
        theirs = rig.call_of["bob"]
        assert rig.client.get(f"/api/calls/{theirs}/script").status_code == 404
        assert rig.client.get(f"/api/calls/{theirs}/actions").status_code == 404
        for path, body in [("marks", {"step_id": "identity_name", "state": "confirmed"}),
                           ("notes", {"text": "看看"}), ("problem-cases", {"note": "x"})]:
            response = rig.client.post(f"/api/calls/{theirs}/{path}", headers=_headers(token),
                                       json=body)
            assert response.status_code == 404, path
        with rig.db.session() as session:
            assert session.scalars(select(AgentAction)).all() == []
            assert session.scalars(select(ProblemCase)).all() == []


def test_reviewers_read_but_do_not_act_and_only_agents_start_callbacks(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        token = sign_in(rig.client, "rita")
        call_id = rig.call_of["ann"]
        assert rig.client.get(f"/api/calls/{call_id}/script").status_code == 200
        refused = rig.client.post(f"/api/calls/{call_id}/notes", headers=_headers(token),
                                  json={"text": "x"})
        assert refused.status_code == 403
        start = {"policy_no": "8644012024110001", "agent_uri": "sip:ann@127.0.0.1:5070"}
        assert rig.client.post("/api/live/callbacks", headers=_headers(token),
                               json=start).status_code == 403
        agent_token = sign_in(rig.client, "ann")
        no_phone = rig.client.post("/api/live/callbacks", headers=_headers(agent_token),
                                   json=start)
        assert no_phone.status_code == 409  # this app was made without a live desk


def test_a_complaint_and_a_surrender_heard_on_the_call_are_registered(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        token = sign_in(rig.client, "ann")
        call_id = rig.call_of["ann"]
        with rig.client.websocket_connect(f"/ws/calls/{call_id}") as socket:
            socket.receive_json()
            said = "业务员说保本，我要投诉他，回电13812345678"
            complaint = rig.client.post(f"/api/calls/{call_id}/requests", headers=_headers(token),
                                        json={"kind": "complaint", "text": said})
            assert complaint.status_code == 201, complaint.text
            shown = socket.receive_json()
        body = complaint.json()
        assert body["kind"] == "complaint" and body["service_request_id"] is None
        assert body["text"] == "业务员说保本，我要投诉他，回电138****5678"  # agents: masked
        assert shown["type"] == "AgentNote"
        assert shown["event"]["text"].startswith(f"已登记投诉 #{body['complaint_id']}：")
        surrender = rig.client.post(f"/api/calls/{call_id}/requests", headers=_headers(token),
                                    json={"kind": "surrender", "text": "犹豫期内我想退保"})
        assert surrender.status_code == 201, surrender.text
        request_id = surrender.json()["service_request_id"]
        bad = rig.client.post(f"/api/calls/{call_id}/requests", headers=_headers(token),
                              json={"kind": "praise", "text": "x"})
        assert bad.status_code == 422
        rita = sign_in(rig.client, "rita")
        refused = rig.client.post(f"/api/calls/{call_id}/requests", headers=_headers(rita),
                                  json={"kind": "complaint", "text": "x"})
        assert refused.status_code == 403  # reviewers judge recordings, they do not act
        with rig.db.session() as session:
            row = session.get(Complaint, body["complaint_id"])
            assert row is not None and (row.call_id, row.kind, row.channel) == (
                call_id, ComplaintKind.COMPLAINT, ComplaintChannel.CALLBACK)
            assert row.stage is ComplaintStage.RECEIVED and row.summary == said
            assert row.acknowledge_due == row.received_at + timedelta(hours=24)
            service = session.get(ServiceRequest, request_id)
            assert service is not None and service.call_id == call_id
            assert service.accept_due > service.received_at.date()
            kinds = [a.kind.value for a in session.scalars(select(AgentAction))]
            assert kinds == ["complaint", "surrender"]
            audited = session.scalars(select(AuditEntry.action)).all()
            assert {"complaint", "surrender"} <= set(audited)
