"""In Chromium: a team's KPI marked 不达标 is proposed for special attention from the KPI page;
the supervisor accepts the proposal on the list's page as 较重 with a dedicated agent, and the
written report downloads as a PDF."""

from __future__ import annotations

from pathlib import Path

from browser_testkit import chromium, served, sign_in_page
from kpi_page_testkit import record_outcomes
from playwright.sync_api import expect
from web_testkit import seeded_app

W45_BY_TEAM = "period=week&by=team&date_from=2024-11-04&date_to=2024-11-10"



def test_a_kpi_below_target_becomes_a_listed_team_with_a_dedicated_agent(
    tmp_path: Path,
) -> None:
    with seeded_app(tmp_path) as (app, db, call_of), served(app) as base, chromium() as browser:
        record_outcomes(db, call_of)
        page = browser.new_page()
        sign_in_page(page, base, "sam")
        page.goto(f"{base}/app/kpis.html?{W45_BY_TEAM}")
        cell = page.locator("tr[data-group='天河一组'] td[data-kpi='success_rate']")
        expect(cell.locator(".target-mark")).to_have_text(" 不达标", timeout=20_000)
        cell.locator("button.propose").click()
        expect(cell.locator(".proposed")).to_have_text(" 已提议", timeout=20_000)

        page.goto(f"{base}/app/attention.html")
        proposal = page.locator("#proposal-rows tr").first
        expect(proposal).to_contain_text("天河一组", timeout=20_000)
        expect(proposal).to_contain_text("指标连续三个月不达标")
        expect(proposal).to_contain_text("回访成功率 2024-W45")
        accept = proposal.locator("form.accept")
        accept.locator("select[name=severity]").select_option("serious")
        accept.locator("select[name=dedicated_agent_id]").select_option(label="ann")
        accept.locator("input[name=reason]").fill("连续不达标，列入观察并专人回访")
        accept.locator("button").click()
        expect(page.locator("#proposal-rows tr")).to_have_count(0, timeout=20_000)
        row = page.locator("#attention-rows tr").first
        expect(row).to_contain_text("天河一组")
        expect(row.locator(".severity")).to_have_text("较重")
        expect(row.locator(".measures")).to_contain_text("专人回访")
        expect(row.locator(".measures")).to_contain_text("（ann）")

        report = page.request.get(f"{base}/api/review/attention/report?format=pdf")
        assert report.status == 200 and report.body().startswith(b"%PDF")
