"""`kill -9` of `huifang serve-web --live` with an agent's bridged call up: the next start settles
the call as interrupted, with the repaired recording of both voices linked (issue 17: crash
recovery for every kind of call, the live desk's included)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import wave
from pathlib import Path

import httpx
import pytest
from free_ports import free_port

from huifang.demo.softphone_process import SoftphoneProcess
from huifang.web.user_accounts import add_user
from storage.database import Database, open_database
from storage.live_models import AgentAction
from storage.models import CallRecord, UserRole
from storage.policy_import import import_policy_file

pytestmark = pytest.mark.slow
ROOT = Path(__file__).parents[2]
DEMO_DATA = ROOT / "huifang" / "demo" / "data"
POLICY_NO = "8644012026110001"
PASSWORD = "long enough pw"
RECORDED_S = 2.0  # of both voices on disk before the kill (the header is patched every 1 s)


class LiveServer:
    """`huifang serve-web --live` in its own process group, answering HTTP."""

    def __init__(self, env: dict[str, str]) -> None:
        self.base = f"http://127.0.0.1:{env['HUIFANG_WEB_PORT']}"
        self.proc = subprocess.Popen([sys.executable, "-m", "huifang", "serve-web", "--live"],
                                     cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True, start_new_session=True)
        deadline = time.monotonic() + 180  # Whisper loads, recordings are repaired, calls settled
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"serve-web exited: {self.stderr()[-2000:]}")
            try:
                httpx.get(f"{self.base}/openapi.json", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.2)
        self.kill()
        raise AssertionError("serve-web --live did not answer within 180 s")

    def kill(self) -> None:
        """SIGKILL: nothing is hung up, nothing stored at the end."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def terminate(self) -> None:
        """SIGTERM (uvicorn shuts down, then re-raises the signal: no exit status to check)."""
        self.proc.terminate()
        self.proc.wait(60)

    def stderr(self) -> str:
        """What it wrote to stderr (once it has exited)."""
        return self.proc.stderr.read() if self.proc.stderr else ""


def _call(url: str) -> CallRecord:
    database: Database = open_database(url)
    try:
        with database.session() as session:
            (call,) = session.query(CallRecord).all()
            session.expunge(call)
            return call
    finally:
        database.close()


def _marks(url: str) -> list[tuple[str | None, str | None]]:
    """The agent's marks stored on the (one) call."""
    database: Database = open_database(url)
    try:
        with database.session() as session:
            return [(a.step_id, a.state) for a in session.query(AgentAction).all()]
    finally:
        database.close()


def _recording_grown(url: str, seconds: float, timeout: float) -> Path:
    """The call's recording path as stored while it is up, once that much audio is on disk."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        path = _call(url).recording_path
        if path is not None and Path(path).is_file():
            with wave.open(path, "rb") as wav:  # sizes as last patched by the writer
                if wav.getnframes() >= seconds * wav.getframerate():
                    return Path(path)
        time.sleep(0.2)
    raise AssertionError(f"no {seconds} s of recording stored in {timeout} s: {_call(url)}")


def test_a_bridged_call_cut_by_kill_9_is_settled_with_its_recording(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    database = open_database(url)
    import_policy_file(database, DEMO_DATA / "demo_policies.csv")
    with database.session() as session:
        add_user(session, "ann", UserRole.AGENT, PASSWORD)
    database.close()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HUIFANG_WEB_HOST": "127.0.0.1",
           "HUIFANG_WEB_PORT": str(free_port()), "HUIFANG_DB_URL": url,
           "HUIFANG_SIP_PORT": "0", "HUIFANG_SIP_BIND_ADDRESS": "127.0.0.1",
           "HUIFANG_SIP_TRANSPORT": "udp", "HUIFANG_RECORDINGS_DIR": str(tmp_path / "rec")}
    server = LiveServer(env)
    try:
        with SoftphoneProcess("agent", []) as agent, SoftphoneProcess(
                "customer", [f"after:0.3:{DEMO_DATA / 'customer_01.wav'}"]) as customer:
            client = httpx.Client(base_url=server.base, timeout=30)
            me = client.post("/api/login", json={"username": "ann", "password": PASSWORD})
            assert me.status_code == 200, me.text
            started = client.post("/api/live/callbacks", json={
                "policy_no": POLICY_NO, "agent_uri": agent.uri, "customer_uri": customer.uri},
                headers={"X-CSRF-Token": me.json()["csrf_token"]})
            assert started.status_code == 202, started.text
            customer.wait_for("media", 60)
            recording = _recording_grown(url, RECORDED_S, 60)
            call_id = started.json()["call_id"]
            marked = client.post(f"/api/calls/{call_id}/marks", json={
                "step_id": "identity_name", "state": "confirmed"},
                headers={"X-CSRF-Token": me.json()["csrf_token"]})
            assert marked.status_code == 201, marked.text  # the agent's answer, stored now
            server.kill()  # with both legs up
    finally:
        server.kill()
    cut_off = _call(url)
    assert (cut_off.ended_at, cut_off.outcome) == (None, None)
    assert cut_off.recording_path == str(recording)

    restarted = LiveServer(env)  # repairs the recordings, then settles, before it answers
    try:
        settled = _call(url)
    finally:
        restarted.terminate()
    assert "settled after a crash" in restarted.stderr()
    assert settled.outcome == "interrupted" and settled.ended_at is not None
    assert settled.recording_path == str(recording)
    assert settled.agent_id is not None  # still the agent's call, on their list
    assert _marks(url) == [("identity_name", "confirmed")]  # the answer given is kept
    with wave.open(str(recording), "rb") as wav:  # repaired: every frame on disk counted
        assert wav.getnchannels() == 2
        assert wav.getnframes() >= RECORDED_S * wav.getframerate()
        assert wav.getnframes() * wav.getsampwidth() * 2 + 44 == recording.stat().st_size
