"""In Debian's Chromium: a reviewer works the queue (sorted on the server, a saved filter) and
the workbench of a finished call — clicking a flag or a line plays that span of the recording,
the energy lanes are drawn per leg, a flag is dismissed by keyboard, the next call of the same
queue opens without going back to it. Screenshots at 1366×768 in tests/artifacts."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

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
from playwright.sync_api import FloatRect, Page, expect
from review_testkit import seed_flagged_calls, seed_review
from stored_call_testkit import store_demo_call
from web_testkit import seeded_app

from storage.analysis_models import CallFlag


def _audio_time(page: Page) -> float:
    return float(page.evaluate("document.getElementById('player').currentTime"))


def _box(page: Page, selector: str) -> FloatRect:
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    return box


def _lands_in(page: Page, start_ms: int, end_ms: int) -> None:
    """The player's position reaches [start, end] (seeking takes a moment on a loaded machine)."""
    page.wait_for_function(
        f"() => {{ const t = document.getElementById('player').currentTime * 1000;"
        f" return t >= {start_ms} && t <= {end_ms}; }}", timeout=15_000,
    )  # fmt: skip


def test_a_reviewer_plays_the_evidence_decides_by_keyboard_and_steps_to_the_next_call(
    tmp_path: Path,
) -> None:
    with seeded_app(tmp_path) as (app, db, call_of), served(app) as base, chromium() as browser:
        seed_review(db, call_of, tmp_path)
        stored = store_demo_call(db, call_of["ann"], tmp_path)
        seed_flagged_calls(db, 40)
        with db.session() as session:
            spans = {f.id: (f.start_ms or 0, f.end_ms or 0) for f in session.query(CallFlag)
                     .filter(CallFlag.id.in_(stored.flag_ids))}  # fmt: skip
        page = laptop_page(browser)
        sign_in_page(page, base, "rita")

        # The queue: 42 calls, 50 a page; sorted by severity on the server; a saved filter.
        page.goto(f"{base}/app/review.html")
        expect(page.locator("#queue-total")).to_have_text("共 42 通")
        page.locator("#queue th[data-sort=severity] button").click()
        severity = page.locator("#queue th[data-sort=severity]")
        expect(severity).to_have_attribute("aria-sort", "descending")
        expect(page).to_have_url(f"{base}/app/review.html?sort=severity&order=desc")
        # Paged on the server: 25 a page, the second page (kept in the address), and back.
        page.select_option("#page-size", "25")
        expect(page.locator("#queue-rows tr")).to_have_count(25)
        page.click("#page-next")
        expect(page.locator("#page-info")).to_have_text("第 26–42 通，共 42 通")
        expect(page.locator("#queue-rows tr")).to_have_count(17)
        expect(page.locator("#page-next")).to_be_disabled()
        query = parse_qs(urlsplit(page.url).query)
        assert (query["offset"], query["limit"], query["sort"]) == (["25"], ["25"], ["severity"])
        page.click("#page-prev")
        expect(page.locator("#page-info")).to_have_text("第 1–25 通，共 42 通")
        page.select_option("#page-size", "50")
        expect(page.locator("#queue-rows tr")).to_have_count(42)
        page.check("#filters input[name=undecided]")
        page.fill("#filters input[name=salesperson]", "李明")
        page.click("#filters button[type=submit]")
        page.keyboard.press("s")
        page.fill("#save-form input[name=name]", "李明待处理")
        page.click("#save-form button[type=submit]")
        expect(page.locator("#saved-filters .chip")).to_have_text(["李明待处理×"])
        page.goto(f"{base}/app/review.html")
        page.locator("#saved-filters .chip button").first.click()
        expect(page.locator("#filters input[name=salesperson]")).to_have_value("李明")
        expect(page.locator("#queue-total")).not_to_have_text("共 42 通")
        rows = page.locator("#queue-rows tr")
        assert all(row.locator("td").nth(5).inner_text() == "李明" for row in rows.all())
        assert english_codes(page) == set()
        screenshot(page, "review_queue")

        # The workbench of ann's call, opened from the queue: it knows its place in the queue.
        page.locator(f"#queue-rows tr[data-call='{call_of['ann']}'] a").click()
        expect(page.locator("#queue-position")).to_contain_text("/")
        expect(page.locator("#transcript-pass")).to_have_text("实时转写")
        expect(page.locator("#transcript tr.line")).to_have_count(len(stored.lines) + 1)
        page.wait_for_function("() => recording.energy && recording.energy.legs.agent.length > 0")
        assert page.evaluate("Object.keys(recording.energy.legs).sort()") == ["agent", "customer"]

        # A flag clicked: its span of the recording plays, and stops at its end.
        flag_id = stored.flag_ids[0]
        start, end = spans[flag_id]
        page.locator(f"#flags article[data-flag='{flag_id}'] h3").click()
        _lands_in(page, start, end)
        card = page.locator(f"#flags article[data-flag='{flag_id}']")
        expect(card).to_have_class("flag high selected")
        # Its disposition form beside its evidence: in the same card, right of the transcript,
        # both on the 1366×768 screen.
        expect(card.locator(".quote mark")).to_be_in_viewport()
        expect(card.locator("form.confirm")).to_be_in_viewport()
        expect(card.locator("form.dismiss")).to_be_in_viewport()
        lanes = _box(page, ".transcript-panel")
        assert _box(page, ".flags-panel")["x"] >= lanes["x"] + lanes["width"] - 1
        page.wait_for_function("() => document.getElementById('player').paused", timeout=30_000)
        assert start / 1000 <= _audio_time(page) <= end / 1000 + 1.0
        # A line clicked: that line plays; the timeline's span of another flag likewise.
        agent_line = page.locator("#transcript tr.line.agent").nth(2)
        line_start = int(agent_line.get_attribute("data-start") or 0)
        agent_line.click()
        _lands_in(page, line_start, line_start + 8000)
        # The text follows the audio: the line being heard is lit while it plays.
        expect(agent_line).to_have_class(re.compile(r"\bplaying\b"))
        expect(page.locator("#transcript tr.line.playing")).to_have_count(1)
        other = stored.flag_ids[-1]  # drawn last: on top of a flag on the same words
        page.locator(f"#timeline .span-mark[data-flag='{other}']").click()
        _lands_in(page, *spans[other])
        screenshot(page, "review_workbench")

        # By keyboard: n to the next flag, x to its reason, Enter dismisses it.
        page.keyboard.press("Space")  # pause
        page.keyboard.press("n")
        selected = page.locator("#flags article.selected")
        chosen = selected.get_attribute("data-flag")
        page.keyboard.press("x")
        expect(selected.locator("input[name=reason]")).to_be_focused()
        page.keyboard.type("客户原话是对分红的疑问，非误导")
        page.keyboard.press("Enter")
        expect(page.locator(f"#flags article[data-flag='{chosen}'] .decided")).to_contain_text(
            "已排除", timeout=20_000)
        assert english_codes(page) == set()
        page.set_viewport_size(ZOOM_125)
        assert fits_width(page)

        # j: the next call of the same queue (same filter), without going back to it.
        next_id = page.evaluate("state.around.next")
        page.keyboard.press("j")
        page.wait_for_url(f"**/review_call.html?*call={next_id}")
        assert parse_qs(urlsplit(page.url).query) == {
            "call": [str(next_id)], "salesperson": ["李明"], "undecided": ["true"],
            "sort": ["severity"], "order": ["desc"]}
        expect(page.locator("#call-id")).to_have_text(f"#{next_id}")
        # k: back to the previous call of the same queue, the filter kept.
        expect(page.locator("#queue-position")).to_contain_text("/")
        previous_id = page.evaluate("state.around.previous")
        assert previous_id
        page.keyboard.press("k")
        page.wait_for_url(f"**/review_call.html?*call={previous_id}*")
        expect(page.locator("#call-id")).to_have_text(f"#{previous_id}")
        assert parse_qs(urlsplit(page.url).query)["salesperson"] == ["李明"]
