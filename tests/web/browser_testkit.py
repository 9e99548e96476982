"""A real server and Debian's Chromium for the browser tests (never `playwright install`)."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright
from web_testkit import PASSWORD

from huifang.web.labels import vocabularies

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-background-networking", "--disable-gpu",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
ARTIFACTS = Path(__file__).parents[1] / "artifacts"


@contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """The app under uvicorn on a free local port, in a thread of this process; its base URL.

    Same process, so a test can publish on the app's event bus while the browser watches.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def chromium() -> Iterator[Browser]:
    """Headless Debian Chromium driven by Playwright."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


# A 1366×768 laptop, and the same screen at 125 % zoom (the CSS viewport a zoomed page gets).
LAPTOP: ViewportSize = {"width": 1366, "height": 768}
ZOOM_125: ViewportSize = {"width": 1093, "height": 614}
_CODE = re.compile(r"[a-z][a-z_]{2,}")
# What a script prints when it shows a value raw: JSON's and JavaScript's blanks, Python's, the
# stored name of the system actor.
_RAW = re.compile(r"\b(?:null|undefined|NaN|None|true|false|system)\b")


def laptop_page(browser: Browser, **options: Any) -> Page:
    """A page as a callback-centre workstation shows it: 1366×768, Chinese locale."""
    return browser.new_page(viewport=LAPTOP, locale="zh-CN", **options)


def english_codes(page: Page, ignore: str = "script") -> set[str]:
    """Coded values (female, confirmed, high …) and raw ones (null, system …) that leaked into
    the page's text, hidden parts included, outside the elements `ignore` selects."""
    codes = {code for words in vocabularies().values() for code in words}
    text = page.evaluate(
        """(ignore) => {
          const copy = document.body.cloneNode(true);
          for (const element of copy.querySelectorAll(ignore)) element.remove();
          for (const cell of copy.querySelectorAll("td, th, li, dd, dt, p, span")) cell.append(" ");
          return copy.textContent;
        }""",
        ignore,
    )
    return set(_CODE.findall(str(text))) & codes | set(_RAW.findall(str(text)))


def fits_width(page: Page) -> bool:
    """Whether the page needs no horizontal scrolling (tables may scroll inside their frame)."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def screenshot(page: Page, name: str) -> Path:
    """The page as tests/artifacts/NAME.png at 1366×768 (kept by CI, ignored by git)."""
    assert page.viewport_size == LAPTOP, f"{name}: screenshots are taken at 1366×768"
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def sign_in_page(page: Page, base: str, name: str, password: str = PASSWORD) -> None:
    """Sign in on the start page and wait until the bar names the user."""
    page.goto(f"{base}/app/")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    expect(page.locator("#who")).to_contain_text(name)
