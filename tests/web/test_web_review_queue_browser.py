"""In Debian's Chromium: a queue reply overtaken by a later request is dropped, not drawn."""

from __future__ import annotations

from pathlib import Path

from browser_testkit import chromium, laptop_page, served, sign_in_page
from playwright.sync_api import Route, expect
from review_testkit import seed_flagged_calls, seed_review
from web_testkit import seeded_app


def test_a_late_reply_to_the_sort_does_not_undo_the_page_size_chosen_after_it(
    tmp_path: Path,
) -> None:
    with seeded_app(tmp_path) as (app, db, call_of), served(app) as base, chromium() as browser:
        seed_review(db, call_of, tmp_path)
        seed_flagged_calls(db, 40)
        page = laptop_page(browser)
        sign_in_page(page, base, "rita")
        page.goto(f"{base}/app/review.html")
        expect(page.locator("#page-info")).to_contain_text("第 1–")
        assert page.locator("#queue-rows tr").count() > 25

        # The sort's request (50 a page) is held until the page-size request has been answered.
        held: list[Route] = []

        def hold_the_sort(route: Route) -> None:
            if "limit=50" in route.request.url and not held:
                held.append(route)
            else:
                route.continue_()

        page.route("**/api/review/queue?*", hold_the_sort)
        page.locator("#queue th[data-sort=severity] button").click()
        for _ in range(100):
            if held:
                break
            page.wait_for_timeout(50)
        assert held, "the sort sent no request"
        page.select_option("#page-size", "25")
        expect(page.locator("#queue-rows tr")).to_have_count(25)

        # Now the sort's late reply arrives: the page keeps 25 rows.
        with page.expect_response(lambda response: "limit=50" in response.url) as late:
            held[0].continue_()
        late.value.finished()
        page.wait_for_timeout(300)  # time for a stale reply to be drawn, were it drawn
        expect(page.locator("#queue-rows tr")).to_have_count(25)
        expect(page.locator("#page-info")).to_contain_text("第 1–25 通")
