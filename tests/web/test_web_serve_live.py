"""`huifang serve-web --live`: the server also owns a SIP endpoint, so an agent can say they are
free for handed-over calls (a server without it answers 409)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from free_ports import free_port

from huifang.web.user_accounts import add_user
from storage.database import open_database
from storage.models import UserRole

ROOT = Path(__file__).parents[2]
PASSWORD = "long enough pw"


def _served(server: subprocess.Popen[bytes], base: str) -> None:
    deadline = time.monotonic() + 120  # Whisper loads before the server answers
    while time.monotonic() < deadline:
        if server.poll() is not None:
            errors = server.stderr.read() if server.stderr else b""
            raise AssertionError(f"serve-web exited: {errors[-2000:]!r}")
        try:
            httpx.get(f"{base}/openapi.json", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("serve-web --live did not answer within 120 s")


def _free_for_calls(base: str) -> httpx.Response:
    client = httpx.Client(base_url=base, timeout=10)
    me = client.post("/api/login", json={"username": "ann", "password": PASSWORD}).json()
    return client.put("/api/live/availability", json={"agent_uri": "sip:ann@127.0.0.1:5099"},
                      headers={"X-CSRF-Token": me["csrf_token"]})


def test_serve_web_live_starts_the_sip_endpoint(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    db = open_database(url)
    with db.session() as session:
        add_user(session, "ann", UserRole.AGENT, PASSWORD)
    db.close()
    answers = {}
    for live in (False, True):
        port = free_port()
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "HUIFANG_WEB_HOST": "127.0.0.1",
               "HUIFANG_WEB_PORT": str(port), "HUIFANG_DB_URL": url,
               "HUIFANG_SIP_PORT": "0", "HUIFANG_SIP_BIND_ADDRESS": "127.0.0.1",
               "HUIFANG_SIP_TRANSPORT": "udp", "HUIFANG_RECORDINGS_DIR": str(tmp_path / "rec")}
        args = ["serve-web", "--live"] if live else ["serve-web"]
        server = subprocess.Popen([sys.executable, "-m", "huifang", *args], cwd=ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            _served(server, f"http://127.0.0.1:{port}")
            answers[live] = _free_for_calls(f"http://127.0.0.1:{port}")
        finally:
            server.terminate()
            server.wait(timeout=30)
    assert answers[False].status_code == 409
    assert answers[True].status_code == 200, answers[True].text
    assert answers[True].json() == {"free": True}
