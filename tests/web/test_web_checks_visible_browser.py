"""In a real browser, what the call checks leave for a reviewer: the phone-cue flags that
`policies import` and `policies phone-changes` stored, listed, filtered and counted per seller
and outlet on the review page; and, on a call, the notice that its duplicate-voice check did
not run because this deployment keeps no voiceprints (PIPL)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from browser_testkit import chromium, laptop_page, served, sign_in_page
from phone_cue_console_testkit import LATE_CHANGED, write_cue_policies, write_late_change
from playwright.sync_api import expect
from review_testkit import seed_review
from web_testkit import PASSWORD, seeded_app, settings_for

from huifang.calls.checks import DUPLICATE_VOICE
from huifang.cli import main
from huifang.web.app import create_app
from huifang.web.deps import web_settings
from huifang.web.user_accounts import add_user
from storage.database import open_database
from storage.models import CallRecord, UserRole

RANGED = ["8644012026120001", "8644012026120002", "8644012026120003"]


def test_the_review_page_lists_the_phone_cues_an_import_stored(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    signed = date.today() - timedelta(days=10)
    policies = write_cue_policies(tmp_path / "policies.csv", signed)
    assert main(["policies", "import", str(policies), "--db-url", settings.db_url]) == 0
    changes = write_late_change(tmp_path / "changes.csv", signed)
    assert main(["policies", "phone-changes", str(changes), "--db-url", settings.db_url]) == 0
    db = open_database(settings.db_url)
    try:
        with db.session() as session:
            add_user(session, "rita", UserRole.REVIEWER, PASSWORD)
    finally:
        db.close()
    app = create_app()
    app.dependency_overrides[web_settings] = lambda: settings
    with served(app) as base, chromium() as browser:
        page = laptop_page(browser)
        sign_in_page(page, base, "rita")
        page.click(".app-nav a[href='review.html']")
        for policy_no in RANGED:
            row = page.locator(f"#cue-rows tr[data-policy='{policy_no}']")
            expect(row).to_contain_text("号段相近")
            expect(row).to_contain_text("张伟")
        late = page.locator(f"#cue-rows tr[data-policy='{LATE_CHANGED}']")
        expect(late).to_contain_text("投保后改号")
        expect(page.locator("#cue-rows")).not_to_contain_text("13812340001")  # masked
        seller = page.locator("#by-salesperson tr").first
        expect(seller).to_contain_text("张伟")
        expect(seller).to_contain_text("号段相近 3")
        expect(page.locator("#by-outlet tr").first).to_contain_text("越秀营业部")

        page.select_option("#cue-filters select[name=cue]", "changed_after_purchase")
        page.click("#cue-filters button[type=submit]")
        expect(page.locator("#cue-rows tr")).to_have_count(1)
        expect(page.locator("#cue-rows tr").first).to_contain_text("王芳")
        expect(page.locator("#by-salesperson tr")).to_have_count(1)
        expect(page.locator("#by-salesperson tr").first).to_contain_text("王芳")


def test_a_call_says_when_its_duplicate_voice_check_did_not_run(tmp_path: Path) -> None:
    with seeded_app(tmp_path) as (app, db, call_of), served(app) as base, chromium() as browser:
        seed_review(db, call_of, tmp_path)
        with db.session() as session:  # ann's call ran with voiceprints off, bob's with them on
            for agent, skipped in (("ann", [DUPLICATE_VOICE]), ("bob", [])):
                call = session.get(CallRecord, call_of[agent])
                assert call is not None
                call.checks_skipped = skipped
        page = laptop_page(browser)
        sign_in_page(page, base, "rita")
        page.goto(f"{base}/app/review_call.html?call={call_of['ann']}")
        notice = page.locator("#checks-skipped")
        expect(notice).to_be_visible()
        expect(notice).to_contain_text("未做同声多单核查")
        expect(notice).to_contain_text("HUIFANG_STORE_VOICEPRINTS")
        page.goto(f"{base}/app/review_call.html?call={call_of['bob']}")
        expect(page.locator("#flags article")).not_to_have_count(0)  # the call has loaded
        expect(page.locator("#checks-skipped")).to_be_hidden()
