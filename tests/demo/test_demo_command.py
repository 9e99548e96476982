"""`huifang demo`: a clear error on a busy port; otherwise one bridged call placed, shown and
stored with its misleading-sale flags (real SIP between three pjsua2 processes, real Whisper)."""

from __future__ import annotations

import os
import re
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from free_ports import free_port

ROOT = Path(__file__).resolve().parents[2]


def _start_demo(*args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    return subprocess.Popen([sys.executable, "-m", "huifang", "demo", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(demo: subprocess.Popen[str], timeout: float) -> subprocess.CompletedProcess[str]:
    try:
        out, err = demo.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        demo.kill()
        out, err = demo.communicate()
        raise AssertionError(f"the demo did not end in {timeout} s: {err[-3000:]}") from None
    return subprocess.CompletedProcess(demo.args, demo.returncode, out, err)


def _demo(*args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    return _finish(_start_demo(*args), timeout)


@dataclass
class DemoRun:
    """One `huifang demo --once` under way: its process, var folder and web port."""

    process: subprocess.Popen[str]
    var_dir: Path
    port: int


@pytest.fixture(scope="module")
def demo_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, DemoRun]]:
    """Both demo calls, started together: each is a minute of real-time conversation that
    leaves the CPU mostly idle, so running them side by side halves the wait."""
    runs = {}
    for kind, extra in (("bridged", ()), ("handover", ("--handover",))):
        var_dir = tmp_path_factory.mktemp(f"demo-{kind}")
        port = free_port()
        process = _start_demo("--port", str(port), "--var-dir", str(var_dir), "--delay", "0",
                              "--once", *extra)
        runs[kind] = DemoRun(process, var_dir, port)
    yield runs
    for run in runs.values():
        if run.process.poll() is None:
            run.process.kill()
            run.process.communicate()


def test_a_busy_port_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = _demo("--port", str(port), "--var-dir", str(tmp_path), timeout=60)
    assert run.returncode == 2
    assert f"huifang: error: --port: 127.0.0.1:{port} is in use" in run.stderr
    assert not (tmp_path / "demo.db").exists()  # nothing started


@pytest.mark.slow
def test_the_demo_places_a_callback_and_stores_its_flags(demo_runs: dict[str, DemoRun]) -> None:
    demo = demo_runs["bridged"]
    port, tmp_path = demo.port, demo.var_dir
    run = _finish(demo.process, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert f"huifang demo: http://127.0.0.1:{port}/app/" in run.stdout
    assert "voiceprints (声纹) are ON in this demo" in run.stdout  # and why they may not be
    logins = re.findall(r"login (demo-\w+) / (\S+)  \((\w+)\)", run.stdout)
    assert [(name, role) for name, _, role in logins] == [
        ("demo-agent", "agent"), ("demo-reviewer", "reviewer"), ("demo-supervisor", "supervisor")]
    assert re.search(rf"agent screen http://127.0.0.1:{port}/app/agent.html\?call=1", run.stdout)
    db = sqlite3.connect(tmp_path / "demo.db")
    try:
        ((outcome, recording, agent),) = db.execute(
            "SELECT c.outcome, c.recording_path, u.username FROM calls c "
            "JOIN users u ON u.id = c.agent_id").fetchall()
        rules = {row[0] for row in db.execute(
            "SELECT rule_id FROM call_flags WHERE kind = 'misleading_sale' AND leg = 'customer'")}
    finally:
        db.close()
    assert (outcome, agent) == ("peer_hung_up", "demo-agent")
    assert Path(recording).is_file()
    # 业务员说这个保本保息，每年都有分红 / 他说这个跟存款一样，保本的 (either may be misheard)
    assert rules & {"induce.guaranteed_return", "deceive.as_deposit"}


@pytest.mark.slow
def test_the_handover_demo_hands_the_robot_call_to_the_demo_agent(
        demo_runs: dict[str, DemoRun]) -> None:
    demo = demo_runs["handover"]
    tmp_path = demo.var_dir
    run = _finish(demo.process, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "robot calling now: call #1" in run.stdout
    db = sqlite3.connect(tmp_path / "demo.db")
    try:
        ((outcome, dialogue, agent),) = db.execute(
            "SELECT c.outcome, c.dialogue_outcome, u.username FROM calls c "
            "JOIN users u ON u.id = c.agent_id").fetchall()
        rules = {row[0] for row in db.execute(
            "SELECT rule_id FROM call_flags WHERE leg = 'customer'")}
    finally:
        db.close()
    assert (outcome, dialogue, agent) == ("peer_hung_up", "transferred", "demo-agent")
    assert rules & {"induce.guaranteed_return", "deceive.as_deposit"}  # said to the agent
