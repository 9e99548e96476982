"""In a real browser: a supervisor reports a salesperson on the special-attention list (特别关注)
and puts him under observation; a reviewer sees the list but no forms to change it."""

from __future__ import annotations

from pathlib import Path

from attention_console_testkit import OPEN_POLICY, SELLER_BRANCH, reopen_cooling_off
from browser_testkit import ARTIFACTS, chromium, served, sign_in_page
from playwright.sync_api import expect
from review_testkit import SELLER
from web_testkit import seeded_app


def test_a_supervisor_puts_a_salesperson_under_observation(tmp_path: Path) -> None:
    with seeded_app(tmp_path) as (app, db, _calls), served(app) as base, chromium() as browser:
        reopen_cooling_off(db)
        page = browser.new_page()
        sign_in_page(page, base, "sam")
        page.click(".app-nav a[href='attention.html']")
        rows = page.locator("#attention-rows tr")
        expect(page.locator("#add-section")).to_be_visible()
        expect(rows).to_have_count(0)

        add = page.locator("#add-form")
        add.locator("select[name=subject]").select_option("salesperson")
        add.locator("input[name=name]").fill(SELLER)
        add.locator("input[name=within_branch]").fill(SELLER_BRANCH)
        add.locator("input[name=effective_on]").fill("2024-11-01")
        add.locator("input[name=reason]").fill("客户投诉业务员承诺保本")
        with page.expect_response(lambda r: r.url.endswith("/api/review/attention")) as posted:
            add.locator("button[type=submit]").click()
        assert posted.value.status == 201, posted.value.text()
        # Generous timeouts: the page reloads after each change on a loaded 2-core machine.
        expect(rows).to_have_count(1, timeout=20_000)
        row = rows.first
        expect(row.locator(".state")).to_have_text("发现")
        expect(page.locator("#policy-rows tr")).to_have_count(1, timeout=20_000)
        expect(page.locator("#policy-rows")).to_contain_text(OPEN_POLICY)

        expect(row.locator(".ground")).to_have_text("夸大保险产品收益")
        expect(row.locator(".measures")).to_have_text("从严回访、增加话术和调查")
        expect(row.locator("form.observe")).to_have_count(0)  # 整改 comes first
        rectify = row.locator("form.rectify")
        rectify.locator("input[name=reason]").fill("录音属实，责令整改")
        with page.expect_response(lambda r: r.url.endswith("/rectify")) as rectified:
            rectify.locator("button").click()
        assert rectified.value.status == 200, rectified.value.text()
        expect(row.locator(".state")).to_have_text("整改", timeout=20_000)
        observe = row.locator("form.observe")
        observe.locator("input[name=reason]").fill("核查属实，转入观察")
        with page.expect_response(lambda r: r.url.endswith("/observe")) as moved:
            observe.locator("button").click()
        assert moved.value.status == 200, moved.value.text()
        expect(row.locator(".state")).to_have_text("观察", timeout=20_000)
        expect(row.locator("form.observe")).to_have_count(0)
        expect(row.locator("form.revoke")).to_have_count(1)
        expect(row.locator("form.revoke select[name=basis]")).to_have_count(1)
        history = page.locator("#history-rows tr")
        expect(history).to_have_count(3, timeout=20_000)
        expect(history.nth(2)).to_contain_text("核查属实，转入观察")
        expect(history.nth(2)).to_contain_text("sam")
        expect(page.locator("#detail-title")).to_contain_text("观察")

        screenshots = Path("var/screenshots")
        screenshots.mkdir(parents=True, exist_ok=True)
        for folder in (tmp_path, screenshots):
            page.screenshot(path=str(folder / "attention_under_observation.png"), full_page=True)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "attention_under_observation.png"), full_page=True)

        # The change is in the audit trail the supervisor reads.
        page.click(".app-nav a[href='audit.html']")
        expect(page.locator("#audit-rows")).to_contain_text("转为观察")
        expect(page.locator("#audit-rows")).to_contain_text("报告特别关注")

        reviewer = browser.new_page()
        sign_in_page(reviewer, base, "rita")
        reviewer.click(".app-nav a[href='attention.html']")
        expect(reviewer.locator("#attention-rows tr")).to_have_count(1)
        expect(reviewer.locator("#attention-rows .state")).to_have_text("观察")
        expect(reviewer.locator("#add-section")).to_be_hidden()
        expect(reviewer.locator("#attention-rows form")).to_have_count(0)
