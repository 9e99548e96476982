"""The campaign in the console: `/api/campaign` as `huifang campaign status --json` plus the
lists a supervisor acts on, for reviewers and managers only, phones masked where the role
says so; and the page in Debian's Chromium."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from browser_testkit import ARTIFACTS, chromium, served
from campaign_page_testkit import LEDGER, build_campaign, deadline
from playwright.sync_api import expect
from web_testkit import PASSWORD, seeded_app, sign_in, web_rig

from huifang.cli import main


def test_agents_are_refused_and_strangers_must_sign_in(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        assert rig.client.get("/api/campaign").status_code == 401
        sign_in(rig.client, "ann")
        assert rig.client.get("/api/campaign").status_code == 403


def test_a_supervisor_reads_what_campaign_status_prints_and_the_lists(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with web_rig(tmp_path) as rig:
        build_campaign(rig.db, tmp_path)
        sign_in(rig.client, "sam")
        status = rig.client.get("/api/campaign", params={"days": 3}).json()
    today = datetime.now(UTC).date()
    assert main(["campaign", "status", "--json", "--days", "3",
                 "--db-url", f"sqlite:///{tmp_path / 'web.db'}"]) == 0
    cli = json.loads(capsys.readouterr().out)
    for key in ("policies", "final_outcomes", "attempts", "attempts_running"):
        assert status[key] == cli[key]  # one source of truth for both
    assert status["policies"] == {"done": 2, "letter_or_visit": 1, "pending": 2}
    assert status["attempts"] == {"busy": 1, "no_answer": 1, "success": 1, "wants_human": 1}
    at_risk = status["at_risk"]
    assert [p["policy_no"] for p in at_risk] == ["PC0001", "PC0003"]  # soonest first
    assert [p["policy_no"] for p in cli["at_risk"]] == ["PC0001", "PC0003"]
    assert (at_risk[0]["deadline"], at_risk[0]["days_left"]) == (deadline("PC0001", today), 1)
    (letter,) = status["letter_or_visit"]
    assert (letter["policy_no"], letter["attempts"]) == ("PC0004", 2)
    assert letter["reason"] == "第1次 无人接听\n第2次 占线"
    assert [p["policy_no"] for p in status["wants_human"]] == ["PC0005"]
    assert at_risk[0]["phone"] == LEDGER["PC0001"][0]  # supervisors see numbers


def test_a_reviewer_sees_phone_numbers_masked(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        build_campaign(rig.db, tmp_path)
        sign_in(rig.client, "rita")
        status = rig.client.get("/api/campaign").json()
    lines = [*status["at_risk"], *status["letter_or_visit"], *status["wants_human"]]
    assert lines
    for line in lines:
        full = LEDGER[line["policy_no"]][0]
        assert line["phone"] != full and line["phone"][:3] == full[:3] and "*" in line["phone"]


def test_a_bad_horizon_is_refused(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        sign_in(rig.client, "sam")
        assert rig.client.get("/api/campaign", params={"days": -1}).status_code == 422


def test_the_campaign_page_shows_counts_and_the_deadline_at_risk(tmp_path: Path) -> None:
    with seeded_app(tmp_path) as (app, db, _), served(app) as base, chromium() as browser:
        build_campaign(db, tmp_path)
        page = browser.new_page()
        page.goto(f"{base}/app/")
        page.fill("input[name=username]", "sam")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator("#who")).to_contain_text("sam")
        page.click(".app-nav a[href='campaign.html']")
        expect(page.locator("#count-rows")).to_contain_text("回访成功 1")
        expect(page.locator("#count-rows")).to_contain_text("转信函/上门 1")
        soon = page.locator("#at-risk-rows tr[data-policy='PC0001']")
        expect(soon).to_have_class("urgent")  # its 犹豫期 ends tomorrow
        expect(page.locator("#at-risk-rows tr").first).to_have_attribute("data-policy", "PC0001")
        expect(page.locator("#letter-rows tr[data-policy='PC0004']")).to_contain_text(
            "第1次 无人接听；第2次 占线")
        expect(page.locator("#human-rows tr")).to_have_count(1)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "campaign_page.png"), full_page=True)
