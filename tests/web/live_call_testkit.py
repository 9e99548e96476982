"""A served app with a live desk on a real SIP endpoint, scripted softphones for the agent and
the customer, and a websocket watcher that timestamps what the agent screen receives."""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from browser_testkit import served
from fastapi import FastAPI
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from huifang.calls.bus import InProcessEventBus
from huifang.calls.desk import LiveDesk
from huifang.demo.softphone_process import SoftphoneProcess
from huifang.settings import Settings
from huifang.web.app import create_app
from huifang.web.deps import SESSION_COOKIE, web_settings
from huifang.web.user_accounts import add_user
from ivr.config import SipConfig
from storage.database import Database, open_database
from storage.models import UserRole
from storage.policy_import import import_policy_file

ROOT = Path(__file__).parents[2]
DEMO_DATA = ROOT / "huifang" / "demo" / "data"
PROMPT_CACHE = ROOT / "var" / "test-cache" / "prompts"
POLICY_NO = "8644012026110001"
PASSWORD = "correct horse 回访"


@dataclass
class LiveRig:
    """The served app, its database and desk."""

    base: str
    app: FastAPI
    db: Database
    desk: LiveDesk


def wav(name: str) -> Path:
    """One of the demo's recorded lines."""
    return DEMO_DATA / name


@contextmanager
def live_server(tmp_path: Path) -> Iterator[LiveRig]:
    """uvicorn serving an app whose live desk owns a SIP endpoint on 127.0.0.1 (any port),
    on a database holding the demo policy, agents ann and bob, reviewer rita, supervisor sam.
    The robot's prompts are espeak-ng at 450 wpm, cached where the callback tests cache them."""
    # Settings from .env (the provisioned Whisper model), a database of this test's own.
    settings = Settings().model_copy(update={
        "db_url": f"sqlite:///{tmp_path / 'live.db'}", "callback_max_call_s": 120.0,
        "prompt_cache": str(PROMPT_CACHE), "tts_engine": "espeak", "tts_speed_wpm": 450,
        "callback_answer_timeout_s": 20.0})
    db = open_database(settings.db_url)
    import_policy_file(db, DEMO_DATA / "demo_policies.csv")
    with db.session() as session:
        for name, role in [("ann", UserRole.AGENT), ("bob", UserRole.AGENT),
                           ("rita", UserRole.REVIEWER), ("sam", UserRole.SUPERVISOR)]:
            add_user(session, name, role, PASSWORD)
    sip = SipConfig(bind_address="127.0.0.1", port=0, transport="udp", codecs=("G722", "PCMU"),
                    rtp_port=20000, ring_timeout_s=10.0, recordings_dir=tmp_path / "rec")
    bus = InProcessEventBus()
    desk = LiveDesk(settings, bus, sip=sip)
    app = create_app(bus, desk)
    app.dependency_overrides[web_settings] = lambda: settings
    try:
        with served(app) as base:
            yield LiveRig(base, app, db, desk)
    finally:
        db.close()


@dataclass
class SignedIn:
    """An HTTP client signed in as one user, with the CSRF token for changes."""

    client: httpx.Client
    csrf: str

    @property
    def cookie(self) -> str:
        """The session cookie as a Cookie header."""
        return f"{SESSION_COOKIE}={self.client.cookies[SESSION_COOKIE]}"

    def post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        """A state-changing request with the CSRF header."""
        return self.client.post(path, json=body, headers={"X-CSRF-Token": self.csrf})


def sign_in(base: str, username: str) -> SignedIn:
    """Sign in over HTTP."""
    client = httpx.Client(base_url=base, timeout=30)
    response = client.post("/api/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return SignedIn(client, response.json()["csrf_token"])


class ScreenWatcher:
    """The agent screen's websocket in a thread: each message with its CLOCK_MONOTONIC arrival."""

    def __init__(self, base: str, user: SignedIn, call_id: int) -> None:
        url = base.replace("http://", "ws://") + f"/ws/calls/{call_id}"
        self._socket: ClientConnection = connect(
            url, additional_headers={"Cookie": user.cookie}, proxy=None, open_timeout=10,
            legacy=True)
        self.messages: queue.Queue[tuple[float, dict[str, Any]]] = queue.Queue()
        self.seen: list[tuple[float, dict[str, Any]]] = []
        self._thread = threading.Thread(target=self._read, name="screen-watcher", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            while True:
                raw = self._socket.recv()
                arrived = time.monotonic()
                message = json.loads(raw)
                self.seen.append((arrived, message))
                self.messages.put((arrived, message))
        except ConnectionClosed:
            pass

    def wait_for(self, type_name: str, timeout: float, *,
                 where: Callable[[dict[str, Any]], bool] | None = None,
                 **fields: Any) -> tuple[float, Any]:
        """The next message of this type whose event has these fields (and passes `where`)."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                arrived, message = self.messages.get(timeout=left)
            except queue.Empty:
                break
            event = message.get("event", message)
            wanted = message["type"] == type_name and (where is None or where(event))
            if wanted and all(event.get(k) == v for k, v in fields.items()):
                return arrived, event
        kinds = [m["type"] for _, m in self.seen]
        raise AssertionError(f"no {type_name} {fields} in {timeout} s; got {kinds}")

    def events(self, type_name: str) -> list[dict[str, Any]]:
        """Every event of one type received so far."""
        return [m["event"] for _, m in self.seen if m["type"] == type_name]

    def close(self) -> None:
        """Close the socket and stop reading."""
        self._socket.close()
        self._thread.join(5)


def from_customer(hint: dict[str, Any]) -> bool:
    """A hint raised on the customer's words (the agent's own leg is analysed too)."""
    return bool(hint["flag"]["leg"] == "customer")


@contextmanager
def softphones(agent_turns: list[str], customer_turns: list[str], *,
               customer_hangup_after_s: float = 1.5,
               ) -> Iterator[tuple[SoftphoneProcess, SoftphoneProcess]]:
    """The agent's softphone and the customer's phone, both scripted, killed at the end."""
    with SoftphoneProcess("agent", agent_turns) as agent, SoftphoneProcess(
        "customer", customer_turns, hangup_after_s=customer_hangup_after_s
    ) as customer:
        yield agent, customer
