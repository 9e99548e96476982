"""In a real browser, the problem-case ledger shows cases nobody has been assigned yet as
unassigned (未分派) and on the clock all the same: 15 working days from the day each opened,
overdue (逾期) after that, and found by the overdue filter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from browser_testkit import chromium, laptop_page, served, sign_in_page
from playwright.sync_api import expect
from web_testkit import seeded_app

from storage.models import CallRecord, ProblemCase


def test_unassigned_cases_show_as_such_and_fall_overdue(tmp_path: Path) -> None:
    with seeded_app(tmp_path) as (app, db, call_of), served(app) as base, chromium() as browser:
        now = datetime.now(UTC)
        with db.session() as session:  # opened by the robot's script: nobody assigned
            call = session.get(CallRecord, call_of["ann"])
            assert call is not None and call.policy_id is not None
            cases = [ProblemCase(policy_id=call.policy_id, call_id=call.id, kind="process",
                                 reason="no_answer", opened_at=opened)
                     for opened in (now - timedelta(days=60), now)]  # fmt: skip
            session.add_all(cases)
            session.flush()
            old, new = (case.id for case in cases)
        page = laptop_page(browser)
        sign_in_page(page, base, "rita")
        page.goto(f"{base}/app/cases.html")
        old_row = page.locator(f"#case-rows tr[data-case='{old}']")
        new_row = page.locator(f"#case-rows tr[data-case='{new}']")
        for row in (old_row, new_row):
            expect(row).to_contain_text("未分派")
        expect(old_row).to_have_class("overdue")
        expect(old_row.locator(".state")).to_have_text("逾期")
        expect(new_row).not_to_have_class("overdue")
        expect(new_row.locator(".state")).not_to_have_text("逾期")

        page.check("input[name=overdue]")
        page.locator("input[name=overdue]").evaluate("box => box.form.requestSubmit()")
        expect(page.locator("#case-rows tr")).to_have_count(1)
        expect(page.locator("#case-rows tr").first).to_have_attribute("data-case", str(old))
