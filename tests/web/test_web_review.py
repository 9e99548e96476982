"""The review console API: the flagged-call queue, a call's evidence and recording, flag
dispositions, problem cases with handlers, deadlines and resolutions, the ledger and daily
summary exports, the audit trail; reviewers, supervisors and admins only, masked by role."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from openpyxl import load_workbook
from review_testkit import PROMISE, PROMISE_MASKED, PROMISE_SPAN, SELLER, seed_review, user_id
from schemathesis.core.result import Ok
from web_testkit import WebRig, settings_for, sign_in, web_rig

from huifang.settings import deadline_rules
from huifang.web.table_export import XLSX_TYPE
from storage.analysis_models import CallFlag
from storage.audit import Actor
from storage.dispositions import confirm_flag
from storage.models import CallRecord, ProblemCase, User
from storage.review_models import CaseClass


@contextmanager
def review_rig(tmp_path: Path) -> Iterator[tuple[WebRig, Any]]:
    with web_rig(tmp_path) as rig:
        yield rig, seed_review(rig.db, rig.call_of, tmp_path)


def _as(rig: WebRig, name: str) -> dict[str, str]:
    """Sign in as name; the CSRF header their changes must carry."""
    return {"X-CSRF-Token": sign_in(rig.client, name)}


def _confirm(rig: WebRig, flag_id: int, csrf: dict[str, str], handler: str = "sam",
             classification: str = "口头误导-故意") -> Any:  # fmt: skip
    return rig.client.post(
        f"/api/review/flags/{flag_id}/confirm", headers=csrf,
        json={"classification": classification, "handler_id": user_id(rig.db, handler),
              "note": "客户复述承诺"},
    )  # fmt: skip


def _audit(rig: WebRig) -> list[tuple[str, str, str, int]]:
    """The review workflow's entries (users, sign-ins and policy imports left out)."""
    _as(rig, "ada")
    entries = rig.client.get("/api/review/audit").json()
    return [(e["action"], e["actor"], e["entity"], e["entity_id"]) for e in reversed(entries)
            if e["entity"] not in ("user", "import")]  # fmt: skip


# -- who may use the console ---------------------------------------------------------------


def test_an_agent_gets_403_everywhere_in_the_console(tmp_path: Path) -> None:
    with review_rig(tmp_path) as (rig, seed):
        csrf = _as(rig, "ann")
        mine = rig.call_of["ann"]
        for path in ["/api/review/queue", f"/api/review/calls/{mine}",
                     f"/api/review/calls/{mine}/recording", f"/api/review/calls/{mine}/handlers",
                     "/api/review/cases", "/api/review/ledger/export?format=xlsx",
                     "/api/review/summary?day=2024-11-06", "/api/review/audit"]:  # fmt: skip
            assert rig.client.get(path).status_code == 403, path
        assert _confirm(rig, seed.promise_flag, csrf).status_code == 403
        dismissed = rig.client.post(f"/api/review/flags/{seed.voice_flag}/dismiss",
                                    headers=csrf, json={"reason": "x"})  # fmt: skip
        assert dismissed.status_code == 403
        assert _audit(rig) == []  # nothing the agent tried was done


def test_only_supervisors_and_admins_read_the_audit_trail(tmp_path: Path) -> None:
    with review_rig(tmp_path) as (rig, _seed):
        _as(rig, "rita")
        assert rig.client.get("/api/review/audit").status_code == 403
        for name in ("sam", "ada"):
            _as(rig, name)
            assert rig.client.get("/api/review/audit").status_code == 200
            # No route changes or removes an entry, whatever the method.
            for method in ("PUT", "PATCH", "DELETE", "POST"):
                assert rig.client.request(method, "/api/review/audit").status_code == 405


# -- the queue and one call ----------------------------------------------------------------


def test_the_queue_filters_by_kind_severity_channel_and_day(tmp_path: Path) -> None:
    with review_rig(tmp_path) as (rig, _seed):
        _as(rig, "rita")
        ann, bob = rig.call_of["ann"], rig.call_of["bob"]

        def queue(**params: str) -> list[int]:
            response = rig.client.get("/api/review/queue", params=params)
            assert response.status_code == 200, response.text
            return [item["id"] for item in response.json()]

        assert sorted(queue()) == sorted([ann, bob])
        assert queue(kind="duplicate_voice") == [ann]
        assert queue(kind="voice_cue") == [bob]
        assert queue(severity="high") == [ann]
        assert sorted(queue(salesperson=SELLER, team="天河一组")) == sorted([ann, bob])
        assert queue(branch="浙江分公司") == []
        assert queue(product="安康定期寿险") == [bob]
        assert sorted(queue(date_from="2024-11-06", date_to="2024-11-06")) == sorted([ann, bob])
        assert queue(date_from="2024-11-07") == []
        first = next(i for i in rig.client.get("/api/review/queue").json() if i["id"] == ann)
        assert first["flags"] == 2 and first["undecided"] == 2
        assert first["top_severity"] == "high" and first["salesperson"] == SELLER
        assert rig.client.get("/api/review/queue?date_from=9999-12-31").status_code == 422


def test_a_call_shows_flags_marked_transcript_and_linked_policies(tmp_path: Path) -> None:
    with review_rig(tmp_path) as (rig, seed):
        _as(rig, "rita")
        call = rig.client.get(f"/api/review/calls/{rig.call_of['ann']}").json()
        assert call["has_recording"] is True and call["duration_ms"] == 60_000
        promise = next(f for f in call["flags"] if f["id"] == seed.promise_flag)
        assert promise["span"] == list(PROMISE_SPAN) and promise["start_ms"] == 500
        line = next(t for t in call["transcript"] if t["start_ms"] == 500)
        assert line["marks"] == [{"start": 6, "end": 10, "flag_id": seed.promise_flag}]
        assert line["text"][6:10] == "保本保息"
        duplicate = next(f for f in call["flags"] if f["id"] == seed.duplicate_flag)
        linked = {p["policy_no"]: p for p in duplicate["policies"]}
        assert linked["8644012024110002"]["call_ids"] == [rig.call_of["bob"]]
        assert linked["8644012024110002"]["holder_name"] == "李建国"
        assert linked["8600000000000099"]["call_ids"] == []  # not a policy of this centre


def test_numbers_in_the_transcript_are_masked_for_reviewers_only(tmp_path: Path) -> None:
    with review_rig(tmp_path) as (rig, seed):
        seen = {}
        for name in ("rita", "sam"):
            _as(rig, name)
            call = rig.client.get(f"/api/review/calls/{rig.call_of['ann']}").json()
            flag = next(f for f in call["flags"] if f["id"] == seed.promise_flag)
            seen[name] = (flag["utterance"], call["policy"]["phone"])
        assert seen["rita"] == (PROMISE_MASKED, "138****5678")
        assert seen["sam"] == (PROMISE, "13812345678")


def test_the_recording_streams_whole_and_by_range(tmp_path: Path) -> None:
    with review_rig(tmp_path) as (rig, seed):
        _as(rig, "rita")
        url = f"/api/review/calls/{rig.call_of['ann']}/recording"
        whole = rig.client.get(url)
        data = seed.recording.read_bytes()
        assert whole.status_code == 200 and whole.headers["content-type"] == "audio/wav"
        assert whole.content == data and whole.headers["accept-ranges"] == "bytes"
        part = rig.client.get(url, headers={"Range": "bytes=44-143"})
        assert part.status_code == 206 and part.content == data[44:144]
        assert part.headers["content-range"] == f"bytes 44-143/{len(data)}"
        beyond = rig.client.get(url, headers={"Range": f"bytes={len(data) + 10}-"})
        assert beyond.status_code == 416
        bobs = f"/api/review/calls/{rig.call_of['bob']}/recording"
        assert rig.client.get(bobs).status_code == 404
        sign_in(rig.client, "ann")
        assert rig.client.get(url).status_code == 403


# -- dispositions and problem cases --------------------------------------------------------


def test_confirming_a_flag_opens_a_case_with_a_handler_who_is_not_the_seller(
    tmp_path: Path,
) -> None:
    with review_rig(tmp_path) as (rig, seed):
        csrf = _as(rig, "rita")
        handlers = rig.client.get(f"/api/review/calls/{rig.call_of['ann']}/handlers").json()
        assert {h["username"] for h in handlers} == {"rita", "sam", "ada"}  # no seller, no agent
        no_token = rig.client.post(
            f"/api/review/flags/{seed.promise_flag}/confirm",
            json={"classification": "书面误导", "handler_id": user_id(rig.db, "sam")},
        )
        assert no_token.status_code == 403
        by_seller = _confirm(rig, seed.promise_flag, csrf, handler=SELLER)
        assert by_seller.status_code == 409
        assert "other than the seller" in by_seller.json()["detail"]
        assert _confirm(rig, seed.promise_flag, csrf, classification="别的").status_code == 422
        confirmed = _confirm(rig, seed.promise_flag, csrf)
        assert confirmed.status_code == 201, confirmed.text
        case_id = confirmed.json()["problem_case_id"]
        assert confirmed.json()["classification"] == "口头误导-故意"
        assert _confirm(rig, seed.promise_flag, csrf).status_code == 409  # decided once
        cases = rig.client.get("/api/review/cases").json()
        assert [c["case_id"] for c in cases] == [case_id]
        case = cases[0]
        assert case["handler"] == "sam" and case["status"] == "open" and not case["overdue"]
        opened = date.fromisoformat(case["opened_at"][:10])
        assert date.fromisoformat(case["deadline"]) >= opened + timedelta(days=19)
        assert case["evidence"] == PROMISE_MASKED and case["phone"] == "138****5678"
        queue = rig.client.get("/api/review/queue").json()
        assert next(i for i in queue if i["id"] == rig.call_of["ann"])["undecided"] == 1
        # The refused attempts wrote nothing; the confirmation wrote three entries.
        assert _audit(rig) == [
            ("case.open", "rita", "problem_case", case_id),
            ("case.assign", "rita", "problem_case", case_id),
            ("flag.confirm", "rita", "flag", seed.promise_flag),
        ]


def test_a_dismissal_needs_a_reason_and_is_audited(tmp_path: Path) -> None:
    with review_rig(tmp_path) as (rig, seed):
        csrf = _as(rig, "rita")
        url = f"/api/review/flags/{seed.voice_flag}/dismiss"
        assert rig.client.post(url, headers=csrf, json={}).status_code == 422
        assert rig.client.post(url, headers=csrf, json={"reason": "   "}).status_code == 409
        done = rig.client.post(url, headers=csrf, json={"reason": "投保人嗓音低沉，已电话核实本人"})
        assert done.status_code == 201 and done.json()["decision"] == "dismissed"
        assert rig.client.get("/api/review/cases").json() == []
        assert _audit(rig) == [("flag.dismiss", "rita", "flag", seed.voice_flag)]


def test_the_handler_resolves_and_the_audit_trail_shows_before_and_after(tmp_path: Path) -> None:
    with review_rig(tmp_path) as (rig, seed):
        csrf = _as(rig, "rita")
        case_id = _confirm(rig, seed.promise_flag, csrf, handler="sam").json()["problem_case_id"]
        url = f"/api/review/cases/{case_id}/resolve"
        not_handler = rig.client.post(url, headers=csrf, json={"resolution": "已处理"})
        assert not_handler.status_code == 409
        reassigned = rig.client.post(
            f"/api/review/cases/{case_id}/assign", headers=csrf,
            json={"classification": "口头误导-无意", "handler_id": user_id(rig.db, "rita")},
        )  # fmt: skip
        assert reassigned.status_code == 200 and reassigned.json()["handler"] == "rita"
        said = "客户选择退保，回拨13812345678确认"
        resolved = rig.client.post(url, headers=csrf, json={"resolution": said})
        assert resolved.status_code == 200
        line = resolved.json()
        assert line["status"] == "closed" and line["resolved_by"] == "rita"
        assert line["resolution"] == "客户选择退保，回拨138****5678确认"
        assert rig.client.post(url, headers=csrf, json={"resolution": "again"}).status_code == 409
        _as(rig, "sam")
        trail = rig.client.get(f"/api/review/audit?entity=problem_case&entity_id={case_id}").json()
        assert [e["action"] for e in trail] == [
            "case.resolve", "case.assign", "case.assign", "case.open"
        ]
        assert trail[0]["before"]["status"] == "open" and trail[0]["after"]["status"] == "closed"
        assert trail[0]["after"]["resolution"] == "客户选择退保，回拨13812345678确认"
        assert trail[1]["before"]["classification"] == "口头误导-故意"
        assert trail[1]["after"]["classification"] == "口头误导-无意"


def test_an_old_case_is_marked_overdue_in_the_list(tmp_path: Path) -> None:
    with review_rig(tmp_path) as (rig, seed):
        rules = deadline_rules(settings_for(tmp_path))  # the app's: 15 working days
        long_ago = datetime.now(UTC) - timedelta(days=60)
        with rig.db.session() as session:
            flag = session.get(CallFlag, seed.promise_flag)
            rita = session.query(User).filter_by(username="rita").one()
            sam = session.query(User).filter_by(username="sam").one()
            assert flag is not None
            confirm_flag(
                session, flag, classification=CaseClass.WRITTEN, handler=sam, note="",
                actor=Actor(rita.id, rita.username), rules=rules, now=long_ago,
            )  # fmt: skip
        _as(rig, "rita")
        overdue = rig.client.get("/api/review/cases?overdue=true").json()
        assert len(overdue) == 1 and overdue[0]["overdue"] is True
        assert overdue[0]["working_days_left"] < 0
        assert rig.client.get("/api/review/cases?status=closed").json() == []


# -- ledger and daily summary exports ------------------------------------------------------


def _ledger_csv(rig: WebRig) -> list[dict[str, str]]:
    response = rig.client.get("/api/review/ledger/export?format=csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_ledger_exports_as_csv_and_xlsx_masked_by_role(tmp_path: Path) -> None:
    with review_rig(tmp_path) as (rig, seed):
        csrf = _as(rig, "rita")
        case_id = _confirm(rig, seed.promise_flag, csrf).json()["problem_case_id"]
        rows = _ledger_csv(rig)
        assert len(rows) == 1
        row = rows[0]
        assert row["问题件编号"] == str(case_id) and row["保单号"] == "8644012024110001"
        assert row["问题分类"] == "口头误导-故意" and row["处理人"] == "sam"
        assert row["联系电话"] == "138****5678" and row["证据"] == PROMISE_MASKED
        assert row["状态"] == "处理中" and row["逾期"] == ""
        response = rig.client.get("/api/review/ledger/export?format=xlsx")
        assert response.headers["content-type"] == XLSX_TYPE
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        values = list(sheet.iter_rows(values_only=True))
        assert values[0][:3] == ("问题件编号", "保单号", "产品")
        assert len(values) == 2 and values[1][0] == case_id and values[1][4] == "138****5678"
        _as(rig, "sam")
        unmasked = _ledger_csv(rig)[0]
        assert unmasked["联系电话"] == "13812345678" and unmasked["证据"] == PROMISE


def test_the_daily_summary_exports_per_salesperson(tmp_path: Path) -> None:
    with review_rig(tmp_path) as (rig, seed):
        csrf = _as(rig, "rita")
        rig.client.post(f"/api/review/flags/{seed.voice_flag}/dismiss", headers=csrf,
                        json={"reason": "已核实本人"})  # fmt: skip
        raised = rig.client.get("/api/review/summary?day=2024-11-06").json()
        assert raised == [{
            "branch": "广东分公司", "team": "天河一组", "salesperson": SELLER,
            "flags_raised": 3, "flags_confirmed": 0, "flags_dismissed": 0, "cases_opened": 0,
            "cases_closed": 0, "cases_open": 0, "cases_overdue": 0,
        }]  # fmt: skip
        today = datetime.now(UTC).date()
        for day in (today - timedelta(days=1), today, today + timedelta(days=1)):
            lines = rig.client.get(f"/api/review/summary?day={day}").json()
            if lines:  # the dismissal's local day (Asia/Shanghai) is one of these
                assert lines[0]["flags_dismissed"] == 1
                break
        else:
            pytest.fail("the dismissal is in no day's summary")
        export = rig.client.get(f"/api/review/summary/export?day={day}&format=xlsx")
        sheet = load_workbook(io.BytesIO(export.content)).active
        assert sheet is not None
        values = list(sheet.iter_rows(values_only=True))
        assert values[0][:3] == ("分支机构", "团队", "销售人员")
        assert values[1][:3] == ("广东分公司", "天河一组", SELLER) and values[1][5] == 1
        csv_export = rig.client.get("/api/review/summary/export?day=2024-11-06")
        rows = list(csv.reader(io.StringIO(csv_export.content.decode("utf-8-sig"))))
        assert rows[1] == ["广东分公司", "天河一组", SELLER, "3", "0", "0", "0", "0", "0", "0"]


# -- pages and generated requests ----------------------------------------------------------


@pytest.mark.parametrize(
    "page",
    ["review.html", "review.js", "review_call.html", "review_call.js", "cases.html", "cases.js",
     "audit.html", "audit.js", "console.js"],
)  # fmt: skip
def test_the_console_pages_are_served_as_they_lie(tmp_path: Path, page: str) -> None:
    with web_rig(tmp_path) as rig:
        response = rig.client.get(f"/app/{page}")
        assert response.status_code == 200 and len(response.text) > 300


def test_generated_console_requests_with_a_csrf_token_get_no_server_error(
    tmp_path: Path,
) -> None:
    """Schemathesis over the console's operations, signed in as a supervisor whose changes
    carry the CSRF token, so bodies reach the disposition and case code."""
    with review_rig(tmp_path) as (rig, _seed):
        csrf = _as(rig, "sam")
        spec: dict[str, Any] = rig.client.get("/openapi.json").json()
        operations = [
            result.ok()
            for result in schemathesis.openapi.from_dict(spec).get_all_operations()
            if isinstance(result, Ok) and result.ok().path.startswith("/api/review")
        ]
        assert len(operations) >= 12

        for operation in operations:

            @settings(max_examples=25, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))  # fmt: skip
            @given(case=operation.as_strategy())
            def no_server_error(case: Any) -> None:
                kwargs = case.as_transport_kwargs(base_url="http://testserver")
                response = rig.client.request(
                    kwargs["method"], kwargs["url"], params=kwargs.get("params"),
                    headers={**(kwargs.get("headers") or {}), **csrf},
                    json=kwargs.get("json"), content=kwargs.get("data"),
                )  # fmt: skip
                assert response.status_code < 500, (case.formatted_path, response.text)

            no_server_error()


def test_a_case_the_dialogue_opened_is_classified_and_assigned_from_the_ledger(
    tmp_path: Path,
) -> None:
    with review_rig(tmp_path) as (rig, _seed):
        with rig.db.session() as session:
            call = session.get(CallRecord, rig.call_of["bob"])
            assert call is not None and call.policy_id is not None
            case = ProblemCase(policy_id=call.policy_id, call_id=call.id, kind="process",
                               reason="no_answer", opened_at=datetime.now(UTC))  # fmt: skip
            session.add(case)
            session.flush()
            case_id = case.id
        csrf = _as(rig, "sam")
        (line,) = rig.client.get("/api/review/cases").json()
        assert line["case_id"] == case_id and line["handler"] is None
        assert line["classification"] is None
        # Unassigned, and on the clock all the same: 15 working days from the day it opened.
        assert line["deadline"] is not None and line["working_days_left"] == 15
        handlers = rig.client.get(f"/api/review/cases/{case_id}/handlers").json()
        assert SELLER not in {h["username"] for h in handlers}
        assign = f"/api/review/cases/{case_id}/assign"
        refused = rig.client.post(assign, headers=csrf, json={
            "classification": "流程违规", "handler_id": user_id(rig.db, SELLER)})
        assert refused.status_code == 409
        assert rig.client.post(f"/api/review/cases/{case_id}/resolve", headers=csrf,
                               json={"resolution": "x"}).status_code == 409  # no handler yet
        done = rig.client.post(assign, headers=csrf, json={
            "classification": "流程违规", "handler_id": user_id(rig.db, "rita")})
        assert done.status_code == 200
        assert done.json()["handler"] == "rita" and done.json()["working_days_left"] == 15
        assert rig.client.get("/api/review/cases?mine=true").json() == []
        _as(rig, "rita")
        assert [c["case_id"] for c in rig.client.get("/api/review/cases?mine=true").json()] == [
            case_id
        ]
