"""Finding 1 of issue 16: free text typed or said reaches roles without the right to personal
numbers masked — reasons, notes, audit entries, exports — in every format, on the API and on
the websocket alike; supervisors still read them whole."""

from __future__ import annotations

from pathlib import Path

from review_testkit import seed_review
from web_testkit import sign_in, web_rig

# One of each: a formatted mobile, a spaced ID with X, a dashed card, a mobile read out.
FORMATTED = (
    "回拨139 2345 6789，身份证440106 1965 0308 402X，卡号6222-0212-3456-7890，"
    "又说一三八一二三四五六七八"
)
FULL = ("139 2345 6789", "440106 1965 0308 402X", "6222-0212-3456-7890", "一三八一二三四五六七八")
PLAIN = "客户手机13812345678，身份证号44010619650308402X"


def _headers(token: str) -> dict[str, str]:
    return {"X-CSRF-Token": token}


def test_a_dismissal_reason_comes_back_masked_to_the_reviewer(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        seed = seed_review(rig.db, rig.call_of, tmp_path)
        token = sign_in(rig.client, "rita")
        dismissed = rig.client.post(f"/api/review/flags/{seed.voice_flag}/dismiss",
                                    headers=_headers(token), json={"reason": PLAIN})  # fmt: skip
        assert dismissed.status_code == 201, dismissed.text
        assert dismissed.json()["reason"] == "客户手机138****5678，身份证号**************402X"
        call = rig.client.get(f"/api/review/calls/{rig.call_of['bob']}")
        assert call.json()["masked"] is True
        assert "13812345678" not in call.text and "44010619650308402X" not in call.text
        trail_reader = sign_in(rig.client, "sam")
        assert trail_reader
        call = rig.client.get(f"/api/review/calls/{rig.call_of['bob']}").json()
        (flag,) = call["flags"]
        assert flag["disposition"]["reason"] == PLAIN  # supervisors see what was written


def test_formatted_numbers_in_a_note_are_masked_on_the_api_and_the_websocket(
    tmp_path: Path,
) -> None:
    with web_rig(tmp_path) as rig:
        call_id = rig.call_of["ann"]
        token = sign_in(rig.client, "ann")
        with rig.client.websocket_connect(f"/ws/calls/{call_id}") as socket:
            assert socket.receive_json()["type"] == "subscribed"
            note = rig.client.post(f"/api/calls/{call_id}/notes", headers=_headers(token),
                                   json={"text": FORMATTED})  # fmt: skip
            assert note.status_code == 201, note.text
            shown = socket.receive_json()
        listed = rig.client.get(f"/api/calls/{call_id}/actions").text
        for text in (note.text, str(shown), listed):
            for number in FULL:
                assert number not in text, (number, text)
        assert note.json()["text"] == (
            "回拨139 **** 6789，身份证****** **** **** 402X，卡号****-****-****-7890，"
            "又说一三八****五六七八"
        )


def test_audit_entries_and_exports_are_masked_for_reviewers(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        seed = seed_review(rig.db, rig.call_of, tmp_path)
        token = sign_in(rig.client, "rita")
        handlers = rig.client.get(f"/api/review/calls/{rig.call_of['ann']}/handlers").json()
        confirmed = rig.client.post(
            f"/api/review/flags/{seed.promise_flag}/confirm", headers=_headers(token),
            json={"classification": "口头误导-故意", "handler_id": handlers[0]["id"],
                  "note": FORMATTED},
        )  # fmt: skip
        assert confirmed.status_code == 201, confirmed.text
        for path in ["/api/review/cases", "/api/review/ledger/export?format=csv",
                     f"/api/review/calls/{rig.call_of['ann']}"]:  # fmt: skip
            text = rig.client.get(path).content.decode("utf-8")
            for number in (*FULL, "13912345678"):
                assert number not in text, (path, number)
        sign_in(rig.client, "sam")
        trail = rig.client.get("/api/review/audit").text
        assert "6222-0212-3456-7890" in trail  # supervisors read the trail whole
