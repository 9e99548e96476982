"""Phone cues reach the review console: `huifang policies import` of three policies one
salesperson sold on numbers of one range, and `policies phone-changes` with a number changed
two days after purchase, leave flags the console lists, filters and counts per seller/outlet."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from web_testkit import PASSWORD, settings_for

from huifang.cli import main
from huifang.web.app import create_app
from huifang.web.deps import web_settings
from huifang.web.user_accounts import add_user
from storage.models import UserRole

COLUMNS = ("policy_no", "product_family", "product_name", "holder_name", "holder_gender",
           "holder_birth_date", "holder_id_last4", "phone", "sign_date", "receipt_date",
           "cooling_off_days", "salesperson", "team", "outlet", "branch", "insured_name",
           "premium_yuan", "payment_years", "payment_frequency")


def _policies(path: Path, signed: date) -> Path:
    """张伟 sold three policies on numbers 1381234xxxx; 王芳 one on an unrelated number."""
    rows = [("P1", "张一", "13812340001", "张伟", "越秀营业部"),
            ("P2", "张二", "13812340002", "张伟", "越秀营业部"),
            ("P3", "张三", "13812340003", "张伟", "越秀营业部"),
            ("P4", "王四", "13998765432", "王芳", "天河营业部")]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for k, (number, holder, phone, seller, outlet) in enumerate(rows):
            writer.writerow([f"864401202612000{number[1:]}", "传统", "康宁终身寿险", holder, "男",
                             "1970-01-0" + str(k + 1), f"100{k}", phone,
                             (signed + timedelta(days=k)).isoformat(),
                             (signed + timedelta(days=k + 2)).isoformat(), "15", seller,
                             "一组", outlet, "广东分公司", holder, "5000", "10", "年交"])
    return path


def test_imports_leave_phone_cue_flags_the_console_lists_and_counts(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    signed = date.today() - timedelta(days=10)
    policies = _policies(tmp_path / "policies.csv", signed)
    assert main(["policies", "import", str(policies), "--db-url", settings.db_url]) == 0
    assert main(["policies", "import", str(policies), "--db-url", settings.db_url]) == 0
    changes = tmp_path / "changes.csv"
    changed = signed + timedelta(days=3, hours=10)
    changes.write_text("policy_no,old_phone,new_phone,changed_at\n"
                       f"8644012026120004,13998765432,13700001111,{changed:%Y-%m-%d} 10:00\n",
                       encoding="utf-8")
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
