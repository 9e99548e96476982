"""In Debian's Chromium, the agent desk at 1366×768: one screen without scrolling; an agent marks
every item by keyboard and opens a problem case with Q while hints and both legs' words arrive
live, and registers a surrender request and a complaint the customer made; a stored call shows
its transcript and hints (not 实时). Screenshots in tests/artifacts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from browser_testkit import (
    ZOOM_125,
    chromium,
    english_codes,
    fits_width,
    laptop_page,
    screenshot,
    served,
    sign_in_page,
)
from playwright.sync_api import Page, expect
from sqlalchemy import select
from stored_call_testkit import store_demo_call
from web_testkit import sample_hint, seeded_app

from asr.events import Transcript, TranscriptKind
from storage.database import Database
from storage.live_models import AgentAction
from storage.models import CallDirection, ProblemCase, User
from storage.repository import Repository
from storage.service_models import Complaint, ServiceRequest


def _live_call(db: Database, agent: str) -> int:
    """A call of the agent's that is still going on."""
    with db.session() as session:
        repo = Repository(session)
        policy = repo.policy("8644012024110001")
        call = repo.start_call(policy, CallDirection.OUTBOUND, "sip:x@pbx", datetime.now(UTC))
        call.agent_id = session.scalars(select(User.id).where(User.username == agent)).one()
        session.flush()
        return call.id


def _one_screen(page: Page) -> bool:
    """Nothing to scroll: the page is exactly the window, in both directions."""
    return bool(page.evaluate(
        "document.documentElement.scrollHeight <= window.innerHeight + 1"
        " && document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_an_agent_marks_every_item_by_keyboard_while_hints_arrive(tmp_path: Path) -> None:
    with seeded_app(tmp_path) as (app, db, _calls), served(app) as base, chromium() as browser:
        call_id = _live_call(db, "ann")
        page = laptop_page(browser)
        sign_in_page(page, base, "ann")
        page.goto(f"{base}/app/agent.html?call={call_id}")
        expect(page.locator("#status")).to_have_text("实时")
        expect(page.locator("#policy")).to_contain_text("138****5678")
        expect(page.locator("#policy")).to_contain_text("王秀英 女")
        items = page.locator("#items li.item")
        count = items.count()
        assert count >= 8  # the seven items (identity asked twice) and the product's own

        # Both legs' words and a hint arrive; the hint chimes, on top of its panel.
        bus = app.state.event_bus
        asked, answered = "请问业务员是怎么介绍的？", "业务员说这个保本保息，每年稳赚百分之五"
        bus.publish(call_id, Transcript(TranscriptKind.FINAL, asked, 10.0, 12.0, "agent"))
        bus.publish(call_id, Transcript(TranscriptKind.FINAL, answered, 12.5, 15.0, "customer"))
        bus.publish(call_id, sample_hint())
        hint = page.locator("#hints li.hint").first
        expect(hint.locator(".evidence.customer mark")).to_have_text("保本保息")
        expect(page.locator("#transcript li.final")).to_have_count(2)
        expect(page.locator("#transcript li.customer.flagged mark")).to_have_text("保本保息")
        assert page.evaluate("feed.chimes") == 1
        page.keyboard.press("m")  # sound off: the next hint flashes silently
        expect(page.locator("#sound-toggle")).to_have_text("提示音 关")

        # A long call: forty more lines, then another hint. The transcript rolls inside its
        # panel, the page never scrolls, the newest line and the new hint are on screen, unheard.
        for n in range(40):
            leg, at = ("agent", "customer")[n % 2], 16.0 + 2 * n
            bus.publish(call_id, Transcript(TranscriptKind.FINAL, f"第{n + 1}句，好的", at,
                                            at + 1.5, leg))  # fmt: skip
        first = sample_hint()  # the same rule heard again, on the last customer line
        bus.publish(call_id, replace(first, flag=replace(first.flag, start=94.0, end=95.5)))
        expect(page.locator("#transcript li.final")).to_have_count(42)
        expect(page.locator("#hints li.hint")).to_have_count(2)
        expect(page.locator("#transcript li.final").last).to_be_in_viewport()
        expect(page.locator("#hints li.hint").first).to_be_in_viewport()
        assert page.evaluate("feed.chimes") == 1
        assert _one_screen(page)

        # Y on every item: each is confirmed in turn, the selection moving down by itself.
        for _ in range(count):
            page.keyboard.press("y")
        expect(page.locator("#items li.confirmed")).to_have_count(count)
        expect(page.locator("#progress")).to_have_text(f"已确认 {count}/{count}")
        # 2 then N: the second item becomes a problem after all; Q opens a case on it.
        page.keyboard.press("2")
        page.keyboard.press("n")
        expect(items.nth(1)).to_have_attribute("data-state", "problem")
        expect(items.nth(1).locator(".state")).to_have_text("问题")
        page.keyboard.press("q")
        dialog = page.locator("#case-dialog")
        expect(dialog).to_be_visible()
        step = items.nth(1).get_attribute("data-step")
        expect(dialog.locator("select[name=step_id]")).to_have_value(step or "")
        dialog.locator("textarea[name=note]").fill("客户称身份证不是本人")
        dialog.locator("button[type=submit]").click()
        expect(page.locator("#notes li.case")).to_contain_text("问题件 #")
        assert _one_screen(page)
        assert english_codes(page) == set()
        screenshot(page, "agent_desk_live")
        page.set_viewport_size(ZOOM_125)
        assert _one_screen(page) and fits_width(page)
        # At 125 % the newest hint, the checklist's selected item and the transcript's newest
        # line are still on the one screen.
        expect(page.locator("#hints li.hint").first).to_be_in_viewport()
        expect(page.locator("#items li.item").nth(1)).to_be_in_viewport()
        expect(page.locator("#transcript li.final").last).to_be_in_viewport()
    with db.session() as session:
        marks = session.scalars(select(AgentAction).where(AgentAction.call_id == call_id)
                                .order_by(AgentAction.id)).all()  # fmt: skip
        states = [a.state for a in marks if a.kind.value == "mark"]
        assert states == ["confirmed"] * count + ["problem"]
        case = session.scalars(select(ProblemCase).where(ProblemCase.call_id == call_id)).one()
        assert case.kind == "identity"


def test_a_stored_call_shows_its_transcript_and_hints_not_live(tmp_path: Path) -> None:
    with seeded_app(tmp_path) as (app, db, call_of), served(app) as base, chromium() as browser:
        stored = store_demo_call(db, call_of["ann"], tmp_path)
        page = laptop_page(browser)
        sign_in_page(page, base, "ann")
        page.locator(f"#call-rows a[href='agent.html?call={stored.call_id}']").click()
        expect(page.locator("#stage")).to_have_text("已结束")
        expect(page.locator("#status")).to_have_text("存档回看 · 实时转写")
        lines = page.locator("#transcript li.final")
        expect(lines).to_have_count(len(stored.lines))
        expect(lines.locator(".said")).to_have_text([text for _leg, text, _s, _e in stored.lines])
        expect(page.locator("#transcript li.agent")).to_have_count(
            sum(leg == "agent" for leg, *_ in stored.lines))
        expect(page.locator("#hints li.hint")).to_have_count(len(stored.flag_ids))
        expect(page.locator("#hints li.hint .evidence.customer mark").first).not_to_be_empty()
        expect(page.locator("#transcript li.flagged")).not_to_have_count(0)
        assert "实时" not in page.locator(".call-state").inner_text().replace("实时转写", "")
        assert not page.locator("#live-dot").evaluate("e => e.classList.contains('live')")
        assert _one_screen(page)
        assert english_codes(page) == set()
        screenshot(page, "agent_desk_stored")
        page.set_viewport_size(ZOOM_125)
        assert _one_screen(page) and fits_width(page)


def test_an_agent_registers_a_surrender_request_and_a_complaint_heard_on_the_call(
    tmp_path: Path,
) -> None:
    with seeded_app(tmp_path) as (app, db, _calls), served(app) as base, chromium() as browser:
        call_id = _live_call(db, "ann")
        page = laptop_page(browser)
        sign_in_page(page, base, "ann")
        page.goto(f"{base}/app/agent.html?call={call_id}")
        expect(page.locator("#status")).to_have_text("实时")
        dialog = page.locator("#request-dialog")
        page.keyboard.press("r")  # R: what the customer asks for, by keyboard
        expect(dialog).to_be_visible()
        dialog.locator("select[name=kind]").select_option("surrender")
        dialog.locator("textarea[name=text]").fill("犹豫期内我要退保")
        dialog.locator("button[type=submit]").click()
        expect(page.locator("#notes li.note").first).to_contain_text("已登记退保申请 #")
        page.locator("#register-request").click()  # and by the button
        dialog.locator("select[name=kind]").select_option("complaint")
        dialog.locator("textarea[name=text]").fill("业务员骗我说保本，我要投诉")
        dialog.locator("button[type=submit]").click()
        expect(page.locator("#notes li.note").first).to_contain_text("已登记投诉 #")
        expect(dialog).to_be_hidden()
        assert _one_screen(page)
        assert english_codes(page) == set()
        screenshot(page, "agent_desk_requests")
    with db.session() as session:
        (request,) = session.scalars(select(ServiceRequest)).all()
        (complaint,) = session.scalars(select(Complaint)).all()
        assert request.call_id == call_id == complaint.call_id
        assert complaint.summary == "业务员骗我说保本，我要投诉"
