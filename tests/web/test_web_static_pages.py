"""The screens as files: every page has the same head (Chinese, the one style sheet, the icon,
the shared scripts first), and nothing anywhere loads a font, a style or a script from outside."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import huifang.web

STATIC = Path(huifang.web.__file__).parent / "static"
PAGES = sorted(STATIC.glob("*.html"))
SHARED_SCRIPTS = ["api.js", "labels.js", "shell.js"]
# A scheme (http:, https:, data: …) or a protocol-relative address: something not served here.
_OUTSIDE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)


class _Head(HTMLParser):
    """What a page loads: its language, links and scripts, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.lang = ""
        self.links: list[tuple[str, str]] = []
        self.scripts: list[str] = []
        self.inline_scripts = 0
        self.meta: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Record the tags that decide what the page loads."""
        found = {name: value or "" for name, value in attrs}
        if tag == "html":
            self.lang = found.get("lang", "")
        elif tag == "link":
            self.links.append((found.get("rel", ""), found.get("href", "")))
        elif tag == "script":
            if "src" in found:
                self.scripts.append(found["src"])
            else:
                self.inline_scripts += 1
        elif tag == "meta":
            self.meta.append(found)


def _head(page: Path) -> _Head:
    parser = _Head()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def test_every_page_shares_the_head() -> None:
    assert len(PAGES) >= 13
    for page in PAGES:
        head = _head(page)
        assert head.lang == "zh-CN", page.name
        assert {"charset": "utf-8"} in head.meta, page.name
        assert ("icon", "favicon.svg") in head.links, page.name
        sheets = [href for rel, href in head.links if rel == "stylesheet"]
        assert sheets == ["style.css"], page.name
        assert head.scripts[:3] == SHARED_SCRIPTS, page.name
        assert head.inline_scripts == 0, page.name


def test_nothing_is_loaded_from_outside() -> None:
    for page in PAGES:
        head = _head(page)
        outside = [href for _rel, href in head.links if _OUTSIDE.match(href)]
        outside += [src for src in head.scripts if _OUTSIDE.match(src)]
        assert outside == [], page.name
        served = [src for src in head.scripts if src != "labels.js"]  # labels.js is generated
        assert all((STATIC / src).is_file() for src in served), page.name
    style = (STATIC / "style.css").read_text(encoding="utf-8")
    assert not re.search(r"@import|@font-face|url\(", style)
    for script in STATIC.glob("*.js"):
        addresses = re.findall(r"https?://[^\s\"'`]+", script.read_text(encoding="utf-8"))
        # The SVG namespace is a name, never fetched.
        assert set(addresses) <= {"http://www.w3.org/2000/svg"}, script.name
