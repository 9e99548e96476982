"""In a real browser: a reviewer finds a flagged call in the queue, confirms its flag into a
problem case (问题件), sees it in the ledger and exports the ledger as CSV and XLSX."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from browser_testkit import ARTIFACTS, chromium, laptop_page, served, sign_in_page
from openpyxl import load_workbook
from playwright.sync_api import Request, expect
from review_testkit import PROMISE_MASKED, seed_flagged_calls, seed_review
from web_testkit import seeded_app, settings_for

from huifang.settings import deadline_rules
from storage.analysis import flags_for_call
from storage.audit import Actor
from storage.dispositions import confirm_flag
from storage.models import User
from storage.review_models import CaseClass


def test_a_reviewer_confirms_a_flag_into_a_problem_case_and_exports_the_ledger(
    tmp_path: Path,
) -> None:
    with seeded_app(tmp_path) as (app, db, call_of), served(app) as base, chromium() as browser:
        seed = seed_review(db, call_of, tmp_path)
        page = browser.new_page(accept_downloads=True)
        sign_in_page(page, base, "rita")
        page.click(".app-nav a[href='review.html']")
        rows = page.locator("#queue-rows tr")
        expect(rows).to_have_count(2)
        page.select_option("select[name=kind]", "misleading_sale")
        page.click("#filters button[type=submit]")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("李明")
        rows.first.locator("a").click()

        # The call: its recording, the flagged span on the timeline, the evidence marked.
        expect(page.locator("#player")).to_have_attribute(
            "src", f"/api/review/calls/{call_of['ann']}/recording"
        )
        span = page.locator(f"#timeline .span-mark[data-flag='{seed.promise_flag}']")
        expect(span).to_have_count(1)
        expect(page.locator(f"#transcript mark[data-flag='{seed.promise_flag}']")).to_have_text(
            "保本保息"
        )
        expect(page.locator("#transcript")).to_contain_text(PROMISE_MASKED)
        duplicate = page.locator(f"article[data-flag='{seed.duplicate_flag}']")
        expect(duplicate.locator("ul.linked")).to_contain_text("8644012024110002")
        expect(duplicate.locator(f"a[href='review_call.html?call={call_of['bob']}']")).to_be_visible()

        flag = page.locator(f"article[data-flag='{seed.promise_flag}']")
        # The seller (李明) is not offered as the handler.
        expect(flag.locator("select[name=handler_id] option")).to_have_text(
            ["ada（管理员）", "rita（质检员）", "sam（主管）"]
        )
        flag.locator("select[name=classification]").select_option("口头误导-故意")
        flag.locator("select[name=handler_id]").select_option(label="sam（主管）")
        flag.locator("input[name=note]").fill("客户复述业务员承诺保本")
        with page.expect_response(lambda response: response.url.endswith("/confirm")) as posted:
            flag.locator("form.confirm button").click()
        assert posted.value.status == 201, posted.value.text()
        # The page reloads the call after the change; generous on a loaded 2-core machine.
        expect(flag.locator(".decided")).to_contain_text("已确认为问题件", timeout=20_000)
        expect(flag.locator(".decided")).to_contain_text("口头误导-故意")
        expect(flag.locator("form")).to_have_count(0)
        screenshots = Path("var/screenshots")
        screenshots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(tmp_path / "review_call_confirmed.png"), full_page=True)
        page.screenshot(path=str(screenshots / "review_call_confirmed.png"), full_page=True)

        # The ledger lists the new case, assigned to sam with its deadline.
        page.goto(f"{base}/app/cases.html")
        case_rows = page.locator("#case-rows tr")
        expect(case_rows).to_have_count(1)
        expect(case_rows.first).to_contain_text("口头误导-故意")
        expect(case_rows.first).to_contain_text("sam")
        expect(case_rows.first).to_contain_text("138****5678")
        expect(case_rows.first.locator(".state")).to_have_text("处理中")
        with page.expect_download() as csv_download:
            page.click("#export-ledger-csv")
        csv_path = tmp_path / "ledger.csv"
        csv_download.value.save_as(csv_path)
        ledger = list(csv.DictReader(io.StringIO(csv_path.read_text(encoding="utf-8-sig"))))
        assert [(row["保单号"], row["问题分类"], row["处理人"]) for row in ledger] == [
            ("8644012024110001", "口头误导-故意", "sam")
        ]
        assert ledger[0]["证据"] == PROMISE_MASKED
        with page.expect_download() as xlsx_download:
            page.click("#export-ledger-xlsx")
        xlsx_path = tmp_path / "ledger.xlsx"
        xlsx_download.value.save_as(xlsx_path)
        sheet = load_workbook(xlsx_path).active
        assert sheet is not None
        assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
            "8644012024110001"
        ]
        page.screenshot(path=str(tmp_path / "problem_case_ledger.png"), full_page=True)
        page.screenshot(path=str(screenshots / "problem_case_ledger.png"), full_page=True)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "problem_case_ledger.png"), full_page=True)


def test_an_agent_opening_the_console_is_turned_away(tmp_path: Path) -> None:
    with seeded_app(tmp_path) as (app, db, call_of), served(app) as base, chromium() as browser:
        seed_review(db, call_of, tmp_path)
        page = browser.new_page()
        sign_in_page(page, base, "ann")
        expect(page.locator("#call-rows a")).to_have_count(1)
        expect(page.locator(".app-nav a[href='review.html']")).to_have_count(0)
        page.goto(f"{base}/app/review_call.html?call={call_of['ann']}")
        expect(page.locator("body")).to_contain_text("质检台仅供质检、主管和管理员使用")
        expect(page.locator("#transcript")).to_have_count(0)


def test_the_queue_hides_decided_flags_when_asked(tmp_path: Path) -> None:
    with seeded_app(tmp_path) as (app, db, call_of), served(app) as base, chromium() as browser:
        seed = seed_review(db, call_of, tmp_path)
        page = browser.new_page()
        sign_in_page(page, base, "rita")
        page.click(".app-nav a[href='review.html']")
        rows = page.locator("#queue-rows tr")
        expect(rows).to_have_count(2)
        page.goto(f"{base}/app/review_call.html?call={call_of['bob']}")
        flag = page.locator(f"article[data-flag='{seed.voice_flag}']")
        flag.locator("input[name=reason]").fill("声音与年龄相符")
        flag.locator("form.dismiss button").click()
        expect(flag.locator(".decided")).to_contain_text("已排除", timeout=20_000)
        page.goto(f"{base}/app/review.html")
        expect(rows).to_have_count(2)
        expect(page.locator(f"#queue-rows tr[data-call='{call_of['bob']}']")).to_contain_text("0/1")
        page.check("input[name=undecided]")
        page.click("#filters button[type=submit]")
        expect(rows).to_have_count(1)
        expect(rows.first).to_have_attribute("data-call", str(call_of["ann"]))


def test_the_ledger_pages_through_many_cases_and_opens_forms_on_demand(tmp_path: Path) -> None:
    with seeded_app(tmp_path) as (app, db, _calls), served(app) as base, chromium() as browser:
        opened = 60
        calls = seed_flagged_calls(db, opened)
        with db.session() as session:  # each call's first flag confirmed: 60 open cases
            sam = session.query(User).filter_by(username="sam").one()
            rules = deadline_rules(settings_for(tmp_path))
            for call_id in calls:
                confirm_flag(session, flags_for_call(session, call_id)[0],
                             classification=CaseClass.ORAL_INTENTIONAL, handler=sam, note="",
                             actor=Actor(sam.id, "sam"), rules=rules)  # fmt: skip
        page = laptop_page(browser)
        sign_in_page(page, base, "rita")
        handlers: list[str] = []

        def seen(request: Request) -> None:
            if request.url.endswith("/handlers"):
                handlers.append(request.url)

        page.on("request", seen)
        page.goto(f"{base}/app/cases.html")
        rows = page.locator("#case-rows tr")
        expect(rows).to_have_count(50)
        expect(page.locator("#cases-page")).to_have_text("第 1–50 件，后面还有")
        assert handlers == []  # no handler list fetched just to show the ledger
        page.click("#cases-next")
        expect(rows).to_have_count(opened - 50)
        first = rows.first
        first.locator("button", has_text="改派…").click()
        expect(first.locator("select[name=handler_id] option")).not_to_have_count(0)
        assert len(handlers) == 1
