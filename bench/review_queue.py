"""The review queue with a centre's backlog: N flagged calls (default 1 000) in SQLite, served
by the real app, opened by a reviewer in Debian's Chromium (headless, Playwright).

Figures, each the median and the worst of --runs:
  - api: GET /api/review/queue (one page of 50, the total counted) per sort order, in-process;
  - page: from navigating to review.html to the page's 50 rows in the DOM and painted (a
    MutationObserver added before the page's scripts stamps the rows, again after the next
    animation frame), sign-in, bar and labels included;
  - sort: a click on a column head to the re-sorted rows painted;
  - next page: a click on 下一页 to its rows painted.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/review_queue.py [--calls 1000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "web"))  # the browser tests' Chromium and seeding

from browser_testkit import chromium, laptop_page, served, sign_in_page  # noqa: E402
from review_testkit import seed_flagged_calls  # noqa: E402
from web_testkit import seeded_app, sign_in  # noqa: E402

# Stamps (page clock, ms) when rows land in the queue's table body, and after their paint.
ROW_STAMPS = """
(() => {
  const stamps = [];
  Object.defineProperty(window, "__rows", { value: stamps });
  new MutationObserver((records) => {
    if (!records.some((r) => r.target.id === "queue-rows" && r.addedNodes.length)) return;
    const entry = { at: performance.now(), painted: null,
                    rows: document.querySelectorAll("#queue-rows tr").length };
    stamps.push(entry);
    requestAnimationFrame(() => setTimeout(() => { entry.painted = performance.now(); }, 0));
  }).observe(document, { childList: true, subtree: true });
})();
"""


def _painted_rows(page: Page, count: int) -> dict[str, float]:
    """Wait for the next stamp of a full page of rows painted; that stamp."""
    page.wait_for_function(
        f"() => window.__rows.some((e) => e.painted !== null && e.rows >= {count} && !e.read)"
    )
    entry: dict[str, float] = page.evaluate(
        f"() => {{ const e = window.__rows.find((e) => e.painted !== null && e.rows >= {count}"
        " && !e.read); e.read = true; return e; }"
    )
    return entry


def _summary(name: str, values: list[float]) -> str:
    return f"{name:<28} median {statistics.median(values):7.1f} ms   worst {max(values):7.1f} ms"


def bench(calls: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        with seeded_app(tmp) as (app, db, _calls):
            started = time.perf_counter()
            seed_flagged_calls(db, calls)  # the kit's two seeded calls have no flags
            print(f"seeded {calls} flagged calls in {time.perf_counter() - started:.1f} s")
            with TestClient(app) as client:
                sign_in(client, "rita")
                total = client.get("/api/review/queue?limit=1").headers["X-Total-Count"]
                print(f"queue total (X-Total-Count): {total}")
                for sort in ("flagged_at", "started_at", "severity", "undecided", "salesperson"):
                    times = []
                    for _ in range(runs):
                        begin = time.perf_counter()
                        response = client.get(f"/api/review/queue?limit=50&sort={sort}")
                        times.append(1000 * (time.perf_counter() - begin))
                        assert response.status_code == 200 and len(response.json()) == 50
                    print(_summary(f"api sort={sort}", times))
            with served(app) as base, chromium() as browser:
                page = laptop_page(browser)
                page.add_init_script(ROW_STAMPS)
                sign_in_page(page, base, "rita")
                opened, painted, resorted, paged = [], [], [], []
                for _ in range(runs):
                    page.goto(f"{base}/app/review.html")
                    entry = _painted_rows(page, 50)
                    opened.append(entry["at"])  # from the navigation's start (performance.now)
                    painted.append(entry["painted"])
                    begin = page.evaluate("performance.now()")
                    page.locator("#queue th[data-sort=severity] button").click()
                    resorted.append(_painted_rows(page, 50)["painted"] - begin)
                    begin = page.evaluate("performance.now()")
                    page.click("#page-next")
                    paged.append(_painted_rows(page, 50)["painted"] - begin)
                print(_summary("page: rows in the DOM", opened))
                print(_summary("page: rows painted", painted))
                print(_summary("sort click: rows painted", resorted))
                print(_summary("next page: rows painted", paged))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=1000, help="flagged calls in the queue")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if args.calls < 60 or args.runs < 1:
        parser.error("--calls must be at least 60 and --runs at least 1")
    print(f"{platform.node()} {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")  # fmt: skip
    bench(args.calls, args.runs)
    print(f"load after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")


if __name__ == "__main__":
    main()
