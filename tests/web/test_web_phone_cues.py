"""Phone cues reach the review console: `huifang policies import` of three policies one
salesperson sold on numbers of one range, and `policies phone-changes` with a number changed
two days after purchase, leave flags the console lists, filters and counts per seller/outlet."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from phone_cue_console_testkit import write_cue_policies, write_late_change
from web_testkit import PASSWORD, settings_for

from huifang.cli import main
from huifang.web.app import create_app
from huifang.web.deps import web_settings
from huifang.web.user_accounts import add_user
from storage.models import UserRole


def test_imports_leave_phone_cue_flags_the_console_lists_and_counts(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    signed = date.today() - timedelta(days=10)
    policies = write_cue_policies(tmp_path / "policies.csv", signed)
    assert main(["policies", "import", str(policies), "--db-url", settings.db_url]) == 0
    assert main(["policies", "import", str(policies), "--db-url", settings.db_url]) == 0
    changes = write_late_change(tmp_path / "changes.csv", signed)
    assert main(["policies", "phone-changes", str(changes), "--db-url", settings.db_url]) == 0
    app = create_app()
    app.dependency_overrides[web_settings] = lambda: settings
    with TestClient(app) as client:
        with app.state.database.session() as session:
            add_user(session, "rita", UserRole.REVIEWER, PASSWORD)
            add_user(session, "ann", UserRole.AGENT, PASSWORD)
        _sign_in(client, "ann")
        assert client.get("/api/review/phone-cues").status_code == 403  # reviewers' console
        _sign_in(client, "rita")
        cues = client.get("/api/review/phone-cues").json()
        ranged = [c for c in cues if c["cue"] == "number_range"]
        # Each of the three policies carries the cue once (the second import added none).
        assert sorted(c["policy_no"] for c in ranged) == [
            "8644012026120001", "8644012026120002", "8644012026120003"]
        first = next(c for c in ranged if c["policy_no"] == "8644012026120001")
        assert first["linked_policies"] == ["8644012026120002", "8644012026120003"]
        assert first["salesperson"] == "张伟" and "138****0001" in first["reason"]
        assert "13812340001" not in first["reason"]
        (late,) = [c for c in cues if c["cue"] == "changed_after_purchase"]
        assert late["policy_no"] == "8644012026120004" and late["salesperson"] == "王芳"
        only = client.get("/api/review/phone-cues", params={"cue": "changed_after_purchase"})
        assert [c["policy_no"] for c in only.json()] == ["8644012026120004"]
        by_seller = client.get("/api/review/phone-cues", params={"salesperson": "张伟"}).json()
        assert {c["policy_no"] for c in by_seller} == {
            "8644012026120001", "8644012026120002", "8644012026120003"}
        sellers = client.get("/api/review/phone-cues/concentration").json()
        assert sellers[0] == {"name": "张伟", "branch": "广东分公司", "policies": 3,
                              "cues": {"number_range": 3}}
        outlets = client.get("/api/review/phone-cues/concentration",
                             params={"by": "outlet"}).json()
        assert [(o["name"], o["policies"]) for o in outlets] == [("越秀营业部", 3),
                                                                  ("天河营业部", 1)]


def _sign_in(client: TestClient, name: str) -> None:
    response = client.post("/api/login", json={"username": name, "password": PASSWORD})
    assert response.status_code == 200, response.text
