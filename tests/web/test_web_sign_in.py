"""Sign-in: hashed passwords, session cookie, CSRF on changes, rate limit, every route guarded."""

from __future__ import annotations

from pathlib import Path

import pytest
from web_testkit import PASSWORD, sign_in, web_rig

from huifang.web.passwords import hash_password, verify_password
from storage.models import User


def test_passwords_are_stored_salted_and_verified() -> None:
    first, second = hash_password("s3cret-pass"), hash_password("s3cret-pass")
    assert first != second and "s3cret-pass" not in first
    assert verify_password("s3cret-pass", first)
    assert not verify_password("s3cret-pasS", first)
    assert not verify_password("s3cret-pass", "md5$garbage")


def test_sign_in_sets_an_http_only_cookie_and_me_answers(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        response = rig.client.post("/api/login", json={"username": "ann", "password": PASSWORD})
        assert response.status_code == 200
        cookie = response.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        me = rig.client.get("/api/me").json()
        assert me["username"] == "ann" and me["role"] == "agent"
        assert me["csrf_token"] == response.json()["csrf_token"]
        with rig.db.session() as session:
            stored = session.query(User).filter_by(username="ann").one().password_hash
        assert stored.startswith("scrypt$") and PASSWORD not in stored


def test_wrong_password_and_unknown_user_look_the_same(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        wrong = rig.client.post("/api/login", json={"username": "ann", "password": "nope"})
        unknown = rig.client.post("/api/login", json={"username": "zed", "password": "nope"})
        assert wrong.status_code == unknown.status_code == 401
        assert wrong.json() == unknown.json()
        assert rig.client.get("/api/me").status_code == 401


def test_a_form_post_cannot_sign_in(tmp_path: Path) -> None:
    """A cross-site HTML form can only send form encoding; the API takes JSON only."""
    with web_rig(tmp_path) as rig:
        response = rig.client.post("/api/login", data={"username": "ann", "password": PASSWORD})
        assert response.status_code == 422
        assert "set-cookie" not in response.headers


def test_repeated_failures_pause_sign_in_even_with_the_right_password(tmp_path: Path) -> None:
    with web_rig(tmp_path, web_login_attempts=3, web_login_window_s=60.0) as rig:
        for _ in range(3):
            bad = rig.client.post("/api/login", json={"username": "ann", "password": "guess"})
            assert bad.status_code == 401
        paused = rig.client.post("/api/login", json={"username": "ann", "password": PASSWORD})
        assert paused.status_code == 429
        assert 1 <= int(paused.headers["retry-after"]) <= 61
        # Another user from the same address is not locked out by ann's failures.
        assert rig.client.post(
            "/api/login", json={"username": "bob", "password": PASSWORD}
        ).status_code == 200


def test_logout_needs_the_csrf_token_then_ends_the_session(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        token = sign_in(rig.client, "ann")
        assert rig.client.post("/api/logout").status_code == 403
        forged = rig.client.post("/api/logout", headers={"X-CSRF-Token": "x" + token})
        assert forged.status_code == 403
        assert rig.client.get("/api/me").status_code == 200
        assert rig.client.post("/api/logout", headers={"X-CSRF-Token": token}).status_code == 204
        assert rig.client.get("/api/me").status_code == 401


def test_every_api_route_but_sign_in_needs_a_session(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        spec = rig.client.get("/openapi.json").json()
        assert spec["info"]["title"].startswith("huifang")
        checked = 0
        for path, operations in spec["paths"].items():
            for method in operations:
                if path == "/api/login":
                    continue
                url = path.replace("{call_id}", str(rig.call_of["ann"]))
                response = rig.client.request(method.upper(), url)
                assert response.status_code == 401, (method, path)
                checked += 1
        assert checked >= 4  # me, logout, calls list and one call


@pytest.mark.parametrize("page", ["/app/", "/app/agent.html", "/app/agent.js", "/app/api.js"])
def test_pages_are_served_as_they_lie(tmp_path: Path, page: str) -> None:
    with web_rig(tmp_path) as rig:
        response = rig.client.get(page)
        assert response.status_code == 200 and len(response.text) > 100
        assert rig.client.get("/", follow_redirects=False).headers["location"] == "/app/"
