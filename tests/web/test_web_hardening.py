"""Web hardening: security headers, no-store on personal data, no CDN docs, bounded bodies,
422s that never echo what was sent, and every page running under the strict CSP."""

from __future__ import annotations

import asyncio
import json
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from browser_testkit import chromium, served
from web_testkit import PASSWORD, seeded_app, sign_in, web_rig

from huifang.web.app import create_app
from huifang.web.hardening import MAX_BODY_BYTES, MAX_SIGN_IN_BODY_BYTES

PAGES = ["index.html", "review.html", "cases.html", "audit.html", "attention.html",
         "kpis.html", "campaign.html", "qa.html", "followups.html", "letters.html",
         "sales.html"]  # fmt: skip


def test_every_response_carries_the_security_headers(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        for path in ["/app/", "/api/me", "/openapi.json", "/nowhere"]:
            headers = rig.client.get(path).headers
            csp = headers["content-security-policy"]
            assert "script-src 'self'" in csp and "unsafe-inline" not in csp, path
            assert "frame-ancestors 'none'" in csp, path
            assert headers["x-frame-options"] == "DENY", path
            assert headers["x-content-type-options"] == "nosniff", path
            assert headers["referrer-policy"] == "no-referrer", path


def test_personal_data_is_never_cached(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        sign_in(rig.client, "sam")
        call = rig.client.get(f"/api/calls/{rig.call_of['ann']}")
        assert call.status_code == 200
        assert call.headers["cache-control"] == "no-store"
        assert rig.client.get("/api/me").headers["cache-control"] == "no-store"
        export = rig.client.get("/api/review/ledger/export?format=csv")
        assert export.status_code == 200
        assert export.headers["cache-control"] == "no-store"


def test_no_swagger_page_from_a_cdn(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        assert rig.client.get("/docs").status_code == 404
        assert rig.client.get("/redoc").status_code == 404
        assert rig.client.get("/openapi.json").status_code == 200


def test_a_huge_sign_in_body_is_refused_before_it_is_read() -> None:
    # 60 chunks of 1 MB; the app must answer 413 after reading at most the first.
    app = create_app()
    chunks = [b"x" * (1 << 20)] * 60
    pulled = 0

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        pulled += 1
        if pulled > len(chunks):
            return {"type": "http.disconnect"}
        return {"type": "http.request", "body": chunks[pulled - 1],
                "more_body": pulled < len(chunks)}  # fmt: skip

    sent: list[MutableMapping[str, Any]] = []

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    for declared in (str(60 << 20), None):  # with and without a Content-Length
        pulled, sent = 0, []
        headers = [(b"content-type", b"application/json")]
        if declared:
            headers.append((b"content-length", declared.encode()))
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                 "method": "POST", "path": "/api/login", "raw_path": b"/api/login",
                 "query_string": b"", "headers": headers, "scheme": "http",
                 "server": ("testserver", 80), "client": ("127.0.0.1", 1), "app": app}  # fmt: skip
        asyncio.run(app(scope, receive, send))
        assert sent[0]["status"] == 413, sent[0]
        assert pulled <= 1, f"read {pulled} MB of a body it should have refused"


def test_bodies_are_bounded_on_every_route(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        token = sign_in(rig.client, "rita")
        big = json.dumps({"reason": "x" * MAX_BODY_BYTES})
        response = rig.client.post(
            "/api/review/flags/1/dismiss", content=big,
            headers={"X-CSRF-Token": token, "Content-Type": "application/json"},
        )  # fmt: skip
        assert response.status_code == 413
        login = json.dumps({"username": "ann", "password": "p" * MAX_SIGN_IN_BODY_BYTES})
        assert rig.client.post("/api/login", content=login).status_code == 413


def test_a_validation_error_never_echoes_the_password(tmp_path: Path) -> None:
    secret = "hunter2-回访-secret"
    with web_rig(tmp_path) as rig:
        for body in [{"password": secret}, {"username": "ann", "password": secret * 20},
                     {"username": "", "password": secret}, [secret]]:  # fmt: skip
            response = rig.client.post("/api/login", json=body)
            assert response.status_code == 422, response.text
            assert secret not in response.text and "hunter2" not in response.text
            assert response.json()["detail"][0]["loc"][0] == "body"


def test_every_page_runs_under_the_csp(tmp_path: Path) -> None:
    """Signed in as a supervisor, each page loads without one CSP violation."""
    with seeded_app(tmp_path) as (app, _db, call_of), served(app) as base, chromium() as browser:
        page = browser.new_page()
        violations: list[str] = []
        page.on("console", lambda message: violations.append(message.text)
                if "Content Security Policy" in message.text else None)  # fmt: skip
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => "
            "console.error('Content Security Policy: ' + e.violatedDirective + ' ' + e.blockedURI))"
        )
        page.goto(f"{base}/app/")
        page.fill("input[name=username]", "sam")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        call = call_of["ann"]
        for name in [*PAGES, f"agent.html?call={call}", f"review_call.html?call={call}"]:
            page.goto(f"{base}/app/{name}")
            page.wait_for_load_state("networkidle")
        assert violations == []
