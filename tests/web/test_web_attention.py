"""The special-attention list (特别关注) in the console API: reviewers read it, supervisors and
admins change it, agents are turned away; illegal moves are refused with the reason; every
change is in the audit trail. And the review queue's undecided-only filter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from attention_console_testkit import OPEN_POLICY, SELLER_BRANCH, reopen_cooling_off
from review_testkit import SELLER, seed_review, user_id
from web_testkit import WebRig, sign_in, web_rig

LIST = "/api/review/attention"
REPORT = {
    "subject": "salesperson", "name": SELLER, "within_branch": SELLER_BRANCH,
    "reason": "客户投诉承诺保本", "effective_on": "2024-11-01",
    "ground": "exaggerated_returns", "severity": "minor",
}  # fmt: skip


def _as(rig: WebRig, name: str) -> dict[str, str]:
    """Sign in as name; the CSRF header their changes must carry."""
    return {"X-CSRF-Token": sign_in(rig.client, name)}


def _report(rig: WebRig, csrf: dict[str, str], **changes: Any) -> Any:
    return rig.client.post(LIST, headers=csrf, json={**REPORT, **changes})


def _move(rig: WebRig, csrf: dict[str, str], entry_id: int, action: str, **body: Any) -> Any:
    if action == "revoke":
        body = {"basis": "verification", **body}
    return rig.client.post(
        f"{LIST}/{entry_id}/{action}", headers=csrf, json={"reason": "核查属实", **body}
    )


def _audit(rig: WebRig) -> list[dict[str, Any]]:
    _as(rig, "ada")
    response = rig.client.get("/api/review/audit", params={"entity": "attention_entry"})
    assert response.status_code == 200, response.text
    return list(reversed(response.json()))


def test_agents_are_turned_away_and_reviewers_only_read(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        assert rig.client.get(LIST).status_code == 401
        created = _report(rig, _as(rig, "sam"))
        assert created.status_code == 201, created.text
        entry_id = created.json()["id"]

        csrf = _as(rig, "ann")
        for path in (LIST, f"{LIST}/{entry_id}"):
            assert rig.client.get(path).status_code == 403, path
        assert _report(rig, csrf, name="张伟").status_code == 403
        assert _move(rig, csrf, entry_id, "revoke").status_code == 403

        csrf = _as(rig, "rita")
        assert [line["id"] for line in rig.client.get(LIST).json()] == [entry_id]
        assert rig.client.get(f"{LIST}/{entry_id}").status_code == 200
        refused = _move(rig, csrf, entry_id, "observe")
        assert refused.status_code == 403 and "supervisors" in refused.json()["detail"]
        assert _report(rig, csrf, name="张伟").status_code == 403

        # A supervisor's change without the CSRF header is refused too.
        _as(rig, "sam")
        assert (
            rig.client.post(f"{LIST}/{entry_id}/observe", json={"reason": "x"}).status_code == 403
        )
        assert [(e["action"], e["actor"]) for e in _audit(rig)] == [("attention.report", "sam")]
        assert rig.client.get(f"{LIST}/{entry_id}").json()["status"] == "reported"


def test_a_supervisor_reports_observes_and_revokes_and_each_step_is_audited(
    tmp_path: Path,
) -> None:
    with web_rig(tmp_path) as rig:
        reopen_cooling_off(rig.db)
        csrf = _as(rig, "sam")
        created = _report(rig, csrf)
        assert created.status_code == 201, created.text
        entry = created.json()
        assert (entry["status"], entry["label"]) == (
            "reported",
            f"业务员{SELLER}（{SELLER_BRANCH}）",
        )
        # Only the policy still in its 犹豫期 is flagged (the other one of 李明's is past it).
        assert entry["flagged_policies"] == 1
        assert [p["policy_no"] for p in entry["policies"]] == [OPEN_POLICY]

        rectified = _move(rig, csrf, entry["id"], "rectify", effective_on="2024-11-03")
        assert rectified.status_code == 200, rectified.text
        observed = _move(rig, csrf, entry["id"], "observe", effective_on="2024-11-05")
        assert observed.status_code == 200, observed.text
        assert observed.json()["status"] == "under_observation"
        revoked = _move(rig, csrf, entry["id"], "revoke", reason="调查结束，未发现问题")
        assert revoked.status_code == 200, revoked.text
        assert revoked.json()["revoked_on"] is not None

        _as(rig, "ada")
        shown = rig.client.get(f"{LIST}/{entry['id']}").json()
        assert [(c["from_status"], c["to_status"], c["changed_by"]) for c in shown["history"]] == [
            (None, "reported", "sam"),
            ("reported", "rectifying", "sam"),
            ("rectifying", "under_observation", "sam"),
            ("under_observation", "revoked", "sam"),
        ]
        assert shown["history"][2]["effective_on"] == "2024-11-05"
        assert shown["history"][3]["basis"] == "verification"
        assert (shown["ground"], shown["severity"]) == ("exaggerated_returns", "minor")
        assert shown["reason"] == "调查结束，未发现问题"
        assert [p["policy_no"] for p in shown["policies"]] == [OPEN_POLICY]  # flags stay
        assert [
            line["id"] for line in rig.client.get(LIST, params={"status": "revoked"}).json()
        ] == [entry["id"]]
        assert rig.client.get(LIST, params={"status": "reported"}).json() == []

        trail = _audit(rig)
        assert [(e["action"], e["actor"], e["entity_id"]) for e in trail] == [
            ("attention.report", "sam", entry["id"]),
            ("attention.rectify", "sam", entry["id"]),
            ("attention.observe", "sam", entry["id"]),
            ("attention.revoke", "sam", entry["id"]),
        ]
        assert trail[0]["before"] is None and trail[0]["after"]["status"] == "reported"
        assert (trail[2]["before"]["status"], trail[2]["after"]["status"]) == (
            "rectifying", "under_observation",
        )  # fmt: skip
        assert trail[3]["after"]["revoked_on"] == revoked.json()["revoked_on"]


def test_illegal_moves_and_bad_requests_are_refused_with_the_reason(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        csrf = _as(rig, "ada")
        entry_id = _report(rig, csrf).json()["id"]
        again = _report(rig, csrf, reason="再次报告")
        assert again.status_code == 409 and "already on the list" in again.json()["detail"]
        assert _move(rig, csrf, entry_id, "revoke").status_code == 200
        illegal = _move(rig, csrf, entry_id, "observe")
        assert illegal.status_code == 409
        assert "revoked: it cannot move to under_observation" in illegal.json()["detail"]
        assert _move(rig, csrf, entry_id, "revoke").status_code == 409

        assert _move(rig, csrf, 99999, "observe").status_code == 404
        assert rig.client.get(f"{LIST}/99999").status_code == 404
        refusals = {
            "empty reason": _report(rig, csrf, name="张伟", reason="   "),
            "future date": _report(rig, csrf, name="张伟", effective_on="2099-01-01"),
            "branch in a branch": _report(rig, csrf, subject="branch", name="广东分公司"),
            "blank name": _report(rig, csrf, name="　 "),
        }
        for what, response in refusals.items():
            assert response.status_code == 400, (what, response.text)
            assert response.json()["detail"], what
        later = _report(rig, csrf, name="赵磊", effective_on="2024-11-10").json()["id"]
        early = _move(rig, csrf, later, "rectify", effective_on="2024-11-01")
        assert (
            early.status_code == 400 and "before the entry's last change" in early.json()["detail"]
        )
        assert _report(rig, csrf, name="bad\x00name").status_code == 422
        # A revoked subject is reported again as a new entry.
        renewed = _report(rig, csrf, reason="新的投诉")
        assert renewed.status_code == 201 and renewed.json()["id"] not in (entry_id, later)
        assert [e["action"] for e in _audit(rig)] == [
            "attention.report", "attention.revoke", "attention.report", "attention.report",
        ]  # fmt: skip


def test_numbers_in_reasons_are_masked_for_reviewers(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        reason = "客户来电13912345678投诉"
        entry_id = _report(rig, _as(rig, "sam"), reason=reason).json()["id"]
        assert rig.client.get(LIST).json()[0]["reason"] == reason
        _as(rig, "rita")
        assert rig.client.get(LIST).json()[0]["reason"] == "客户来电139****5678投诉"
        history = rig.client.get(f"{LIST}/{entry_id}").json()["history"]
        assert history[0]["reason"] == "客户来电139****5678投诉"


def test_the_queue_shows_only_undecided_flags_when_asked(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        seed = seed_review(rig.db, rig.call_of, tmp_path)
        csrf = _as(rig, "rita")
        dismissed = rig.client.post(f"/api/review/flags/{seed.voice_flag}/dismiss",
                                    headers=csrf, json={"reason": "声音正常"})  # fmt: skip
        assert dismissed.status_code == 201, dismissed.text
        confirmed = rig.client.post(
            f"/api/review/flags/{seed.promise_flag}/confirm", headers=csrf,
            json={"classification": "口头误导-故意", "handler_id": user_id(rig.db, "sam")},
        )  # fmt: skip
        assert confirmed.status_code == 201, confirmed.text

        every = rig.client.get("/api/review/queue").json()
        assert sorted(item["id"] for item in every) == sorted(rig.call_of.values())
        pending = rig.client.get("/api/review/queue", params={"undecided": "true"}).json()
        assert [
            (item["id"], item["flags"], item["undecided"], item["kinds"]) for item in pending
        ] == [(rig.call_of["ann"], 1, 1, ["duplicate_voice"])]


@pytest.mark.parametrize(
    ("page", "uses"), [("attention.html", "attention.js"), ("attention.js", LIST)]
)
def test_the_attention_page_is_served_as_it_lies(tmp_path: Path, page: str, uses: str) -> None:
    with web_rig(tmp_path) as rig:
        response = rig.client.get(f"/app/{page}")
        assert response.status_code == 200 and uses in response.text
