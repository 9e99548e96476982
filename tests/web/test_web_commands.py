"""`huifang users add` and `huifang serve-web` as an operator runs them."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from free_ports import free_port

from huifang.cli import main
from huifang.web.passwords import verify_password
from huifang.web.user_accounts import user_by_name
from storage.database import open_database

ROOT = Path(__file__).parents[2]


def _add(tmp_path: Path, name: str, role: str, stdin: str) -> int:
    """`huifang users add` with the password piped in, as a script would run it."""
    url = f"sqlite:///{tmp_path / 'users.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "stdin", io.StringIO(stdin))
        return main(["users", "add", name, "--role", role, "--db-url", url])


def test_users_add_reads_the_password_from_stdin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _add(tmp_path, "ann", "agent", "long enough pw\n") == 0
    assert capsys.readouterr().out.strip() == "user ann added as agent"
    db = open_database(f"sqlite:///{tmp_path / 'users.db'}")
    with db.session() as session:
        user = user_by_name(session, "ann")
        assert user is not None and user.role.value == "agent"
        assert verify_password("long enough pw", user.password_hash)
    db.close()


def test_users_add_refuses_a_taken_name_and_a_short_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _add(tmp_path, "ann", "reviewer", "long enough pw\n") == 0
    assert _add(tmp_path, "ann", "admin", "another long pw\n") == 2
    assert "user 'ann' exists already" in capsys.readouterr().err
    assert _add(tmp_path, "bob", "agent", "short\n") == 2
    assert "at least 10 characters" in capsys.readouterr().err


def test_users_add_refuses_an_unknown_role(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exited:
        _add(tmp_path, "ann", "boss", "long enough pw\n")
    assert exited.value.code == 2


def test_serve_web_listens_where_the_settings_say(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "HUIFANG_WEB_HOST": "127.0.0.1", "HUIFANG_WEB_PORT": str(port),
           "HUIFANG_DB_URL": f"sqlite:///{tmp_path / 'serve.db'}"}  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "huifang", "serve-web"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        spec = _wait_for(f"http://127.0.0.1:{port}/openapi.json", server)
        assert "/api/calls/{call_id}" in spec["paths"]
        assert httpx.get(f"http://127.0.0.1:{port}/api/calls").status_code == 401
    finally:
        server.terminate()
        server.wait(timeout=10)


# A readiness wait, not a speed claim (start-up time lives in bench/): under a loaded CI
# machine the import alone took 20 s.
_START_WAIT_S = 120


def _wait_for(url: str, server: subprocess.Popen[bytes]) -> dict[str, dict[str, object]]:
    deadline = time.monotonic() + _START_WAIT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            errors = server.stderr.read() if server.stderr else b""
            raise AssertionError(f"serve-web exited: {errors!r}")
        try:
            spec: dict[str, dict[str, object]] = httpx.get(url, timeout=1).json()
            return spec
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"serve-web did not answer within {_START_WAIT_S} s")
