"""Letters and visits as a work queue: a policy the campaign could not reach gets a printable
letter (read back with pdftotext: the callback's questions and a reply slip); in Chromium a
supervisor sends someone to visit and records the result, which closes the policy's callback."""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

from browser_testkit import chromium, served, sign_in_page
from playwright.sync_api import expect
from sqlalchemy import select
from web_testkit import seeded_app, sign_in, web_rig

from storage.campaign_models import AttemptOutcome, CampaignPolicy, CampaignState
from storage.campaigns import CampaignStore
from storage.database import Database
from storage.kpi_definitions import KpiKey
from storage.kpi_periods import Period
from storage.kpis import Grouping, KpiRequest, kpi_report
from storage.problem_cases import DeadlineRules

POLICY = "8644012024110001"  # 王秀英's 分红 policy, received 2024-11-04


def _hand_over(db: Database) -> None:
    """The campaign gave up on the phone: the policy goes to the letter-or-visit list."""
    now = datetime(2024, 11, 12, 10, tzinfo=UTC)
    with db.session() as session:
        store = CampaignStore(session)
        store.enrol([POLICY], now)
        (entry,) = store.waiting()
        store.hand_over(entry.id, "3 次拨打均无人接听", now)


def test_the_letter_holds_the_callback_questions_and_a_reply_slip(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        _hand_over(rig.db)
        sign_in(rig.client, "rita")
        (task,) = rig.client.get("/api/letters").json()
        assert (task["policy_no"], task["status"], task["method"]) == (POLICY, "open", "letter")
        assert task["reason"] == "3 次拨打均无人接听"
        pdf = rig.client.get(f"/api/letters/{task['id']}/letter.pdf")
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        path = tmp_path / "letter.pdf"
        path.write_bytes(pdf.content)
        text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True,
                              text=True).stdout  # fmt: skip
        flat = "".join(text.split())
        for said in ("新契约回访函", "尊敬的王秀英女士", POLICY, "是您本人亲笔签的吗",
                     "□是□否□不清楚", "红利分配是不确定的", "回执", "投保人签名"):  # fmt: skip
            assert said in flat, said
        assert "出生日期" not in flat  # the phone's identity check: the signature does it here
        assert rig.client.get("/api/letters").json()[0]["printed"] is True



def test_a_visit_is_assigned_and_its_result_closes_the_callback(tmp_path: Path) -> None:
    with seeded_app(tmp_path) as (app, db, _calls), served(app) as base, chromium() as browser:
        _hand_over(db)
        page = browser.new_page()
        sign_in_page(page, base, "sam")
        page.click(".app-nav a[href='letters.html']")
        row = page.locator(f"#letter-rows tr[data-policy='{POLICY}']")
        expect(row.locator("a.print")).to_have_text("打印回访函", timeout=20_000)
        visit = row.locator("form.visit")
        visit.locator("select[name=assignee_id]").select_option(label="rita")
        visit.locator("input[name=visit_on]").fill("2024-11-14")
        visit.locator("button").click()
        expect(row.locator(".state")).to_have_text("已指派（rita 2024-11-14）", timeout=20_000)
        result = row.locator("form.result")
        result.locator("select[name=result]").select_option("confirmed")
        result.locator("input[name=note]").fill("上门见到投保人本人，逐项确认并签字")
        result.locator("button").click()
        expect(page.locator("#letter-rows tr")).to_have_count(0, timeout=20_000)
        with db.session() as session:
            entry = session.scalars(select(CampaignPolicy)).one()
            assert (entry.state, entry.final_outcome) == (CampaignState.DONE,
                                                          AttemptOutcome.SUCCESS)  # fmt: skip
            request = KpiRequest(Period.MONTH, Grouping.OVERALL, date(2024, 11, 1),
                                 date(2024, 11, 30))  # fmt: skip
            report = kpi_report(session, request, DeadlineRules())
            # The visit's result is the callback's success.
            assert report.rows[0].figures[KpiKey.SUCCESS].numerator == 1
