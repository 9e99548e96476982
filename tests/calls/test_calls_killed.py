"""A worker killed mid-call: what was flagged before the kill is stored, and a reviewer finds it
in the review console (flags are written as they are raised, not when the call ends)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from callback_testkit import ROOT, CustomerPeer, call_env
from every_kind_testkit import customer_line
from fastapi.testclient import TestClient
from stored_testkit import db_url, import_policies, open_db, policy_row

from huifang.settings import Settings
from huifang.web.app import create_app
from huifang.web.deps import web_settings
from huifang.web.user_accounts import add_user
from storage.analysis import flags_for_call
from storage.analysis_models import FlagKind
from storage.models import CallRecord, UserRole

pytestmark = pytest.mark.slow
PASSWORD = "correct horse 回访"
POLICY_NO = "P2026000601"


def test_flags_raised_before_the_worker_is_killed_reach_the_review_console(
        tmp_path: Path) -> None:
    url = db_url(tmp_path)
    env = call_env(tmp_path / "rec", HUIFANG_DB_URL=url, HUIFANG_CALLBACK_ANSWER_TIMEOUT_S="30")
    import_policies(tmp_path, [policy_row(POLICY_NO, "13800001237")], env)
    peer = CustomerPeer(f"start+0.3:say:{customer_line(tmp_path)}", lifetime=200)
    worker = subprocess.Popen([sys.executable, "-m", "huifang", "call", peer.uri, "--policy",
                               POLICY_NO], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              cwd=ROOT, env=env, start_new_session=True)
    database = open_db(url)
    try:
        call_id = _first_flagged_call(database, timeout=150)
        assert worker.poll() is None and peer.proc.poll() is None  # mid-call
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
        with database.session() as session:
            call = session.get(CallRecord, call_id)
            assert call is not None and call.ended_at is None  # no end was ever written
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
        peer.kill()
        database.close()
    settings = Settings(_env_file=None, db_url=url)
    app = create_app()
    app.dependency_overrides[web_settings] = lambda: settings
    with TestClient(app) as client:
        with app.state.database.session() as session:
            add_user(session, "rita", UserRole.REVIEWER, PASSWORD)
        signed_in = client.post("/api/login", json={"username": "rita", "password": PASSWORD})
        assert signed_in.status_code == 200, signed_in.text
        queue = client.get("/api/review/queue").json()
        assert [item["id"] for item in queue] == [call_id]
        assert "misleading_sale" in queue[0]["kinds"]
        review = client.get(f"/api/review/calls/{call_id}").json()
    assert review["checks_skipped"] == ["duplicate_voice"]  # voiceprints are off by default
    flags = [f for f in review["flags"] if f["kind"] == "misleading_sale"]
    assert flags and flags[0]["rule_id"] in {"induce.guaranteed_return", "deceive.as_deposit"}
    assert flags[0]["start_ms"] is not None and flags[0]["end_ms"] > flags[0]["start_ms"]


def _first_flagged_call(database: object, timeout: float) -> int:
    """The id of the call once a misleading-sale flag is stored on it (polling the database)."""
    from storage.database import Database

    assert isinstance(database, Database)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with database.session() as session:
            for call in session.query(CallRecord).all():
                if flags_for_call(session, call.id, [FlagKind.MISLEADING_SALE]):
                    return call.id
        time.sleep(0.5)
    raise AssertionError(f"no misleading-sale flag stored within {timeout} s")
