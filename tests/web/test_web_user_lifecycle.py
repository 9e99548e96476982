"""Findings 2, 3 and 7 of issue 16: one normal form of user names for lookup and limiter, a
bounded limiter table, sessions re-checked against the user's current state, the user
lifecycle in `huifang users`, the password policy, and sign-ins and user changes audited."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from starlette.websockets import WebSocketDisconnect
from web_testkit import PASSWORD, WebRig, sample_hint, sign_in, web_rig

from huifang.cli import main
from huifang.web.login_limit import LoginLimiter
from huifang.web.passwords import check_new_password
from huifang.web.user_accounts import user_by_name
from huifang.web.user_names import normalise_username
from storage.review_models import AuditEntry


def _users(rig: WebRig, *args: str, stdin: str = "") -> int:
    url = str(rig.db.engine.url)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "stdin", io.StringIO(stdin))
        return main(["users", *args, "--db-url", url])


def _login(rig: WebRig, name: str, password: str = PASSWORD) -> int:
    response = rig.client.post("/api/login", json={"username": name, "password": password})
    return response.status_code


def test_names_have_one_normal_form() -> None:
    assert {
        normalise_username(n) for n in ["agent2", "agent2\u3000", " Agent2 ", "ａｇｅｎｔ２"]
    } == {"agent2"}
    assert normalise_username("李  明") == "李 明"


def test_padding_the_name_does_not_get_round_the_pause(tmp_path: Path) -> None:
    with web_rig(tmp_path, web_login_attempts=5, web_login_window_s=300.0) as rig:
        for _ in range(5):
            assert _login(rig, "bob", "wrong password 1") == 401
        for padded in ["bob\u3000", " bob", "BOB", "ｂｏｂ", "bob\t"]:
            assert _login(rig, padded) == 429, padded
        assert _login(rig, "ann\u3000") == 200  # the normal form signs in, another name is free


def test_the_limiter_table_stays_bounded_and_one_address_cannot_wash_it_out() -> None:
    now = [0.0]
    limiter = LoginLimiter(5, 300.0, max_keys=200, clock=lambda: now[0])
    for _ in range(4):
        limiter.failed("10.0.0.9", "ann")
    for n in range(5000):  # one address trying name after name
        limiter.failed(f"10.1.{n // 250}.{n % 250}", f"name{n}")
        now[0] += 0.01
    assert len(limiter) <= 200
    flooder = LoginLimiter(5, 300.0, max_keys=200, clock=lambda: now[0])
    for n in range(100):
        flooder.failed("10.0.0.7", f"guess{n}")
    assert flooder.retry_after("10.0.0.7", "ann") > 0  # the address itself is paused
    assert flooder.retry_after("10.0.0.8", "ann") == 0


def test_a_deactivated_user_loses_api_and_websocket_at_once(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        sign_in(rig.client, "ann")
        call_id = rig.call_of["ann"]
        with rig.client.websocket_connect(f"/ws/calls/{call_id}") as socket:
            assert socket.receive_json()["type"] == "subscribed"
            assert _users(rig, "deactivate", "ann") == 0
            rig.bus.publish(call_id, sample_hint())
            with pytest.raises(WebSocketDisconnect) as closed:
                socket.receive_json()
            assert closed.value.code == 4401
        assert rig.client.get("/api/me").status_code == 401
        assert _login(rig, "ann") == 401
        assert _users(rig, "reactivate", "ann") == 0
        assert _login(rig, "ann") == 200


def test_a_role_change_revocation_or_reset_ends_the_session(tmp_path: Path) -> None:
    with web_rig(tmp_path) as rig:
        for change, stdin in [(("role", "rita", "supervisor"), ""),
                              (("revoke-sessions", "rita"), ""),
                              (("reset-password", "rita"), "a new pass phrase 2\n")]:  # fmt: skip
            sign_in(rig.client, "rita")
            assert rig.client.get("/api/review/queue").status_code == 200
            assert _users(rig, *change, stdin=stdin) == 0
            assert rig.client.get("/api/review/queue").status_code == 401, change
        assert _login(rig, "rita") == 401  # the old password is gone
        sign_in(rig.client, "rita", "a new pass phrase 2")
        assert rig.client.get("/api/me").json()["role"] == "supervisor"


def test_the_password_policy_refuses_weak_passwords() -> None:
    for weak, why in [
        (" " * 8, "blank"), ("", "blank"), ("\u3000" * 12, "blank"), (" padded pass 1", "space"),
        ("short 1", "at least 10"), ("aaaaaaaaaaaa", "different characters"),
        ("abababababab1", "different characters"), ("onlyletterswords", "two kinds"),
        ("1234567890", "two kinds"), ("Password123!", "guessed"), ("huifang2024!", "guessed"),
        ("ann-is-my-name-1", "user name"),
    ]:  # fmt: skip
        with pytest.raises(ValueError, match=why):
            check_new_password(weak, "ann")
    check_new_password("correct horse 回访", "ann")
    check_new_password("long enough pw", "ann")


def test_users_add_refuses_eight_spaces(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with web_rig(tmp_path) as rig:
        assert _users(rig, "add", "carl", "--role", "agent", stdin=" " * 8 + "\n") == 2
        assert "blank" in capsys.readouterr().err
        with rig.db.session() as session:
            assert user_by_name(session, "carl") is None


def test_sign_ins_failures_and_user_changes_are_audited(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with web_rig(tmp_path) as rig:
        assert _login(rig, "ann", "wrong password 1") == 401
        assert _login(rig, "nobody", "wrong password 1") == 401
        assert _login(rig, "ann") == 200
        assert _users(rig, "add", "carl", "--role", "reviewer", "--by", "ada",
                      stdin="review pass 2024!\n") == 0  # fmt: skip
        assert _users(rig, "role", "carl", "agent", "--by", "ghost") == 2
        assert "no user 'ghost'" in capsys.readouterr().err
        with rig.db.session() as session:
            entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
            seen = [
                (e.action, e.actor, (e.after or {}).get("outcome"))
                for e in entries
                if e.action.startswith("sign_in")
            ]
            ada = user_by_name(session, "ada")
            added = [e for e in entries if e.action == "user.add" and e.actor == "ada"]
        assert seen[:3] == [("sign_in.failed", "ann", "wrong_password"),
                            ("sign_in.failed", "nobody", "unknown_user"),
                            ("sign_in", "ann", "signed_in")]  # fmt: skip
        assert ada is not None and added[0].actor_id == ada.id
        assert added[0].after is not None and "password_hash" not in added[0].after


def test_the_last_admin_cannot_be_removed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with web_rig(tmp_path) as rig:
        assert _users(rig, "deactivate", "ada") == 2
        assert _users(rig, "role", "ada", "agent") == 2
        assert "last active admin" in capsys.readouterr().err
        assert _users(rig, "list") == 0
        listing = capsys.readouterr().out
        assert "ada\tadmin\tactive" in listing and "scrypt" not in listing
