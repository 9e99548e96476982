"""In Chromium: the sales-side feedback page shows the day's complaint against its seller, the
failed callbacks of the seeded policies, and downloads the day's file the sales side receives."""

from __future__ import annotations

from pathlib import Path

from browser_testkit import chromium, served, sign_in_page
from followups_testkit import POLICY, seed_surrender_call
from openpyxl import load_workbook
from playwright.sync_api import expect
from web_testkit import seeded_app


def test_a_reviewer_reads_and_exports_the_days_feedback(tmp_path: Path) -> None:
    with seeded_app(tmp_path) as (app, db, _calls), served(app) as base, chromium() as browser:
        seed_surrender_call(db)
        page = browser.new_page(accept_downloads=True)
        sign_in_page(page, base, "rita")
        page.click(".app-nav a[href='sales.html']")
        daily = page.locator("#daily-rows tr")
        expect(daily).to_have_count(1, timeout=20_000)
        expect(daily.first).to_contain_text("李明")
        expect(daily.first).to_contain_text("投诉")
        expect(daily.first).to_contain_text(POLICY)
        # The seeded policies' 犹豫期 ended in 2024 without a successful callback.
        failed = page.locator("#failed-form")
        failed.locator("input[name=date_from]").fill("2024-11-01")
        failed.locator("input[name=date_to]").fill("2024-11-30")
        failed.locator("button").click()
        expect(page.locator("#failed-rows")).to_contain_text("未拨打", timeout=20_000)
        with page.expect_download() as download:
            page.click("#daily-xlsx")
        path = tmp_path / "daily.xlsx"
        download.value.save_as(path)
        sheet = load_workbook(path).active
        assert sheet is not None
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:3] == ("分公司", "团队", "业务员") and rows[1][2] == "李明"
