"""专人回访 on the agent's screen: a salesperson listed as 较重 with agent ann has his open policy
given to ann; in Chromium ann sees it on the agent page and fills the call form from it; the
API lets only her mark it done."""

from __future__ import annotations

from pathlib import Path

from attention_console_testkit import OPEN_POLICY, SELLER_BRANCH, reopen_cooling_off
from browser_testkit import chromium, served, sign_in_page
from fastapi.testclient import TestClient
from playwright.sync_api import expect
from review_testkit import SELLER, user_id
from web_testkit import seeded_app, sign_in


def test_the_named_agent_gets_the_listed_sellers_policy(tmp_path: Path) -> None:
    with seeded_app(tmp_path) as (app, db, _calls), served(app) as base, chromium() as browser:
        reopen_cooling_off(db)
        with TestClient(app) as client:
            csrf = {"X-CSRF-Token": sign_in(client, "sam")}
            listed = client.post("/api/review/attention", headers=csrf, json={
                "subject": "salesperson", "name": SELLER, "within_branch": SELLER_BRANCH,
                "reason": "承诺保本", "effective_on": "2024-11-01",
                "ground": "exaggerated_returns", "severity": "serious",
                "dedicated_agent_id": user_id(db, "ann"),
            })  # fmt: skip
            assert listed.status_code == 201, listed.text
            assert listed.json()["measures"] == ["strict_callback", "more_questions",
                                                 "dedicated_agent"]  # fmt: skip
            sign_in(client, "bob")
            assert client.get("/api/my/assignments").json() == []

        page = browser.new_page()
        sign_in_page(page, base, "ann")
        page.goto(f"{base}/app/agent.html")
        row = page.locator(f"#assignment-rows tr[data-policy='{OPEN_POLICY}']")
        expect(row).to_contain_text(SELLER, timeout=20_000)
        row.locator("button.fill").click()
        expect(page.locator("#start-callback input[name=policy_no]")).to_have_value(OPEN_POLICY)
        with page.expect_response(lambda r: r.url.endswith("/done")) as finished:
            row.locator("button.done").click()
        assert finished.value.status == 200
        expect(page.locator("#assignments")).to_be_hidden(timeout=20_000)
