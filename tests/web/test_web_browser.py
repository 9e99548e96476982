"""In a real browser: an agent signs in, opens the agent screen of a call, sees a hint arrive."""

from __future__ import annotations

from pathlib import Path

from browser_testkit import ARTIFACTS, chromium, served
from playwright.sync_api import expect
from web_testkit import PASSWORD, sample_hint, seeded_app

from asr.events import Transcript, TranscriptKind


def test_an_agent_sees_a_published_hint_on_the_agent_screen(tmp_path: Path) -> None:
    with seeded_app(tmp_path) as (app, _db, call_of), served(app) as base, chromium() as browser:
        page = browser.new_page()
        page.goto(f"{base}/app/")
        page.fill("input[name=username]", "ann")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        # Only ann's own call is listed; bob's is not.
        links = page.locator("#call-rows a")
        expect(links).to_have_count(1)
        expect(links).to_have_text(f"#{call_of['ann']}")
        links.click()
        expect(page.locator("#status")).to_have_text("实时")
        expect(page.locator("#policy")).to_contain_text("138****5678")
        hint = sample_hint()
        app.state.event_bus.publish(call_of["ann"], hint)
        arrived = page.locator("#hints li.hint")
        expect(arrived.locator(".message")).to_have_text(hint.message)
        expect(arrived.locator(".wording")).to_have_text(hint.suggested_wording)
        expect(arrived.locator(".evidence.customer mark")).to_have_text("保本保息")
        # Partials rewrite one line per leg; the final settles it and the next starts a new one.
        for kind, text in [("partial", "业务员说"), ("final", "业务员说保本"), ("partial", "对")]:
            said = Transcript(TranscriptKind(kind), text, 12.5, 15.0, "customer")
            app.state.event_bus.publish(call_of["ann"], said)
        # After what is stored of the call so far (an answer it heard, the ID masked for agents).
        expect(page.locator("#transcript li .said")).to_have_text(
            ["身份证号**************1234", "业务员说保本", "对"])
        expect(page.locator("#transcript li.final")).to_have_count(2)
        expect(page.locator("#transcript li.customer .who").nth(1)).to_have_text("客户 0:12")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "agent_screen_hint.png"), full_page=True)


def test_an_agent_cannot_open_another_agents_screen(tmp_path: Path) -> None:
    with seeded_app(tmp_path) as (app, _db, call_of), served(app) as base, chromium() as browser:
        page = browser.new_page()
        page.goto(f"{base}/app/")
        page.fill("input[name=username]", "ann")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator("#call-rows a")).to_have_count(1)
        page.goto(f"{base}/app/agent.html?call={call_of['bob']}")
        expect(page.locator("#status")).to_have_text("no such call")
        expect(page.locator("#policy")).to_be_empty()
