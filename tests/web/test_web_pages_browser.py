"""Every console page in Debian's Chromium as a supervisor sees it: one shared layout, Chinese
for every coded value, no horizontal scrolling at 125 % zoom; screenshots at 1366×768."""

from __future__ import annotations

from pathlib import Path

from browser_testkit import (
    LAPTOP,
    ZOOM_125,
    chromium,
    english_codes,
    fits_width,
    laptop_page,
    screenshot,
    served,
    sign_in_page,
)
from playwright.sync_api import expect
from review_testkit import seed_review
from web_testkit import seeded_app, settings_for

from huifang.settings import deadline_rules
from storage.analysis_models import CallFlag
from storage.attention import Listing, report_entry
from storage.attention_models import AttentionGround, AttentionSeverity, AttentionSubject
from storage.audit import Actor
from storage.database import Database
from storage.dispositions import confirm_flag
from storage.models import User
from storage.review_models import CaseClass

PAGES = ["index", "review", "cases", "qa", "followups", "letters", "sales", "attention", "kpis",
         "campaign", "audit"]  # fmt: skip
NOTHING_SEEDED = {"followups", "qa", "letters", "sales"}
# The KPI definitions cite the stored codes they count (issue 18 is rewriting them).
NOT_CHECKED = {"kpis": "script, #definitions, #chart-definition"}


def _cases_and_attention(db: Database, flag_id: int, tmp_path: Path) -> None:
    with db.session() as session:
        sam = session.query(User).filter_by(username="sam").one()
        flag = session.get(CallFlag, flag_id)
        assert flag is not None
        confirm_flag(session, flag, classification=CaseClass.ORAL_INTENTIONAL, handler=sam,
                     note="客户复述承诺", actor=Actor(sam.id, "sam"),
                     rules=deadline_rules(settings_for(tmp_path)))
        report_entry(session, AttentionSubject.SALESPERSON, "李明", "夸大收益，两通回访被标记",
                     by="sam", listing=Listing(AttentionGround.EXAGGERATED_RETURNS,
                                               AttentionSeverity.MINOR))  # fmt: skip


def test_every_console_page_shares_the_layout_speaks_chinese_and_fits_at_125_percent(
    tmp_path: Path,
) -> None:
    with seeded_app(tmp_path) as (app, db, call_of), served(app) as base, chromium() as browser:
        seed = seed_review(db, call_of, tmp_path)
        _cases_and_attention(db, seed.promise_flag, tmp_path)
        page = laptop_page(browser)
        sign_in_page(page, base, "sam")
        for name in PAGES:
            page.set_viewport_size(LAPTOP)
            page.goto(f"{base}/app/{name}.html")
            # One bar, one menu, the page's own entry marked; the page's data has arrived.
            expect(page.locator("header.app-bar nav a")).to_have_count(len(PAGES))
            expect(page.locator("header.app-bar nav a[aria-current=page]")).to_have_count(1)
            page.wait_for_load_state("networkidle")
            if name not in NOTHING_SEEDED:
                expect(page.locator("tbody tr").first).to_be_visible()
            assert english_codes(page, NOT_CHECKED.get(name, "script")) == set(), name
            screenshot(page, f"page_{name}")
            page.set_viewport_size(ZOOM_125)
            assert fits_width(page), f"{name} scrolls sideways at 125 %"
        # "?" lists the shortcuts, g q goes to the queue.
        page.keyboard.press("?")
        expect(page.locator("#shortcut-help")).to_be_visible()
        expect(page.locator("#shortcut-help")).to_contain_text("质检队列")
        page.keyboard.press("Escape")
        page.keyboard.press("g")
        page.keyboard.press("q")
        expect(page).to_have_url(f"{base}/app/review.html")
