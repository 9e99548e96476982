"""A campaign dialled by several nodes through Kamailio to a trunk: the parts, for the test and
the benchmark (bench/campaign_nodes.py).

The trunk is a SIPp user agent server that answers every number and hangs up after a pause (the
customer side); Kamailio sends the nodes' INVITEs to it and spreads nothing inbound here; each
node is a real `huifang campaign run` (its own process group, node name, SIP and RTP ports)
with HUIFANG_SIP_OUTBOUND_PROXY naming Kamailio, on one PostgreSQL database.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select, text

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "campaign"))
from campaign_sip_testkit import ROOT, SippLine, campaign_env, huifang  # noqa: E402
from campaign_testkit import PolicySpec, write_policies  # noqa: E402
from free_ports import free_port  # noqa: E402

from huifang.cluster.kamailio import ProxyConfig, dispatcher_list, kamailio_cfg  # noqa: E402
from storage.campaign_models import AttemptStatus, CampaignAttempt  # noqa: E402
from storage.database import open_database  # noqa: E402
from storage.models import CallRecord  # noqa: E402

NUMBER_PREFIX = "1390005"


@contextmanager
def kamailio(folder: Path, config: ProxyConfig) -> Iterator[Path]:
    """Kamailio running `config` until the block ends; yields its log file."""
    (folder / "dispatcher.list").write_text(dispatcher_list(config))
    cfg = folder / "kamailio.cfg"
    cfg.write_text(kamailio_cfg(config, folder / "dispatcher.list"))
    log_path = folder / "kamailio.log"
    with log_path.open("w") as log:
        proxy = subprocess.Popen(
            ["kamailio", "-DD", "-E", "-f", str(cfg), "-Y", str(folder),
             "-P", str(folder / "kamailio.pid")],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            yield log_path
        finally:
            proxy.send_signal(signal.SIGTERM)
            try:
                proxy.wait(10)
            except subprocess.TimeoutExpired:
                proxy.kill()


@dataclass(frozen=True)
class Centre:
    """The trunk (SIPp, answering every number), Kamailio's address, the nodes' dial ports."""

    db_url: str
    proxy: str
    trunk: SippLine
    dial_ports: tuple[int, ...]
    folder: Path

    def node_env(self, index: int, **extra: str) -> dict[str, str]:
        """Node `index`'s campaign settings: dial the number at the proxy, out to the trunk."""
        env: dict[str, str] = campaign_env(self.folder, {}, HUIFANG_DB_URL=self.db_url,
                           HUIFANG_CAMPAIGN_DIAL_URI=f"sip:{{phone}}@{self.proxy}",
                           HUIFANG_SIP_OUTBOUND_PROXY=f"sip:{self.proxy}",
                           HUIFANG_SIP_PORT=str(self.dial_ports[index]),
                           HUIFANG_SIP_RTP_PORT=str(24000 + 8000 * index),
                           HUIFANG_NODE_NAME=f"node-{'abcdefgh'[index]}",
                           HUIFANG_CAMPAIGN_MAX_ATTEMPTS="1",
                           HUIFANG_RECORDINGS_DIR=str(self.folder / f"rec-{index}"))
        env.update(extra)
        return env


@contextmanager
def centre(folder: Path, db_url: str, nodes: int, talk_ms: int) -> Iterator[Centre]:
    """The trunk and Kamailio for `nodes` nodes on loopback, stopped when the block ends."""
    trunk = SippLine("uas_answer_hangup.xml", folder, {"@PAUSE_MS@": str(talk_ms)},
                     name="trunk")
    try:
        dial_ports = tuple(free_port() for _ in range(nodes))
        # Nothing answers inbound here: the dispatcher's set is one port nobody listens on.
        config = ProxyConfig(f"127.0.0.1:{free_port()}", (f"127.0.0.1:{free_port()}",),
                             trunk=f"127.0.0.1:{trunk.port}",
                             # a node's campaign workers: its port and the next 3 (16 lines)
                             callers=tuple(f"127.0.0.1:{port}-{port + 3}"
                                           for port in dial_ports))
        with kamailio(folder, config):
            yield Centre(db_url, config.listen, trunk, dial_ports, folder)
    finally:
        trunk.kill()


def enrol(centre_: Centre, policies: int) -> list[PolicySpec]:
    """Import `policies` new policies (numbers 1390005NNNN) with `huifang campaign import`."""
    specs = [PolicySpec(f"N{n:05d}", f"{NUMBER_PREFIX}{n:04d}", date.today())
             for n in range(policies)]
    path = write_policies(centre_.folder / "policies.csv", specs)
    done = huifang(["campaign", "import", str(path)], centre_.node_env(0), 120)
    assert done.returncode == 0, done.stderr
    return specs


class Node:
    """One node's `huifang campaign run` (process group of its own), stderr to a file."""

    def __init__(self, centre_: Centre, index: int, lines: int = 4) -> None:
        self.name = f"node-{'abcdefgh'[index]}"
        self.log = centre_.folder / f"{self.name}.log"
        with self.log.open("w") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "huifang", "campaign", "run", "--max-concurrent",
                 str(lines)], cwd=ROOT, env=centre_.node_env(index), stdout=subprocess.DEVNULL,
                stderr=err, start_new_session=True)

    def stderr(self) -> str:
        """What the node wrote so far."""
        return self.log.read_text(errors="replace")

    def stop(self, timeout: float = 60) -> int:
        """SIGTERM to the run (it tells its workers): claim nothing more, let calls end."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"{self.name} did not stop:\n{self.stderr()[-3000:]}") from None

    def kill(self) -> None:
        """SIGKILL the node's whole process group (the run and its workers)."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)


def nodes_up(db_url: str) -> int:
    """Nodes whose dialling workers hold their presence lock (ready: engine and phone up)."""
    database = open_database(db_url, upgrade=False)
    try:
        with database.engine.connect() as connection:
            return int(connection.execute(text(
                "SELECT count(DISTINCT (classid, objid)) FROM pg_locks "
                "WHERE locktype = 'advisory' AND mode = 'ShareLock' AND granted")).scalar_one())
    finally:
        database.close()


def wait_until(check: object, what: str, timeout: float, nodes: list[Node]) -> None:
    """Poll `check()` until true; fail with the nodes' stderr after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline or any(n.proc.poll() is not None for n in nodes):
            tails = "\n".join(f"--- {n.name}:\n{n.stderr()[-2000:]}" for n in nodes)
            raise AssertionError(f"{what} not within {timeout} s\n{tails}")
        time.sleep(0.2)


@dataclass(frozen=True)
class Ledger:
    """The campaign's attempts as the database holds them."""

    attempts: int
    open_attempts: int
    without_outcome: int
    dialled: Counter[str]  # phone → dialled attempts
    outcomes: Counter[str]
    failed: frozenset[str]  # phones whose attempt failed (a killed node's, cut mid-call)
    calls_by_node: Counter[str]
    open_calls: Counter[str]  # node → calls not ended
    policies_with_attempt: int
    first_start_s: float  # epoch seconds of the first attempt's start
    last_end_s: float
    attempt_s: float  # mean seconds from claim to settled
    call_s: float  # mean seconds a call record spans (dialled → ended)


def ledger(db_url: str) -> Ledger:
    """Read the attempts and their calls."""
    database = open_database(db_url, upgrade=False)
    try:
        with database.session() as session:
            attempts = list(session.scalars(select(CampaignAttempt)))
            calls = list(session.scalars(select(CallRecord)))
            ends = [a.ended_at.timestamp() for a in attempts if a.ended_at is not None]
            spans = [(a.ended_at - a.started_at).total_seconds() for a in attempts
                     if a.ended_at is not None]
            lasted = [(c.ended_at - c.started_at).total_seconds() for c in calls
                      if c.ended_at is not None]
            return Ledger(
                attempts=len(attempts),
                open_attempts=sum(a.status is not AttemptStatus.FINISHED for a in attempts),
                without_outcome=sum(a.outcome is None for a in attempts),
                dialled=Counter(a.phone for a in attempts if a.dialled),
                outcomes=Counter(a.outcome.value for a in attempts if a.outcome is not None),
                failed=frozenset(a.phone for a in attempts
                                 if a.outcome is not None and a.outcome.value == "failed"),
                calls_by_node=Counter(c.owner_node or "" for c in calls),
                open_calls=Counter(c.owner_node or "" for c in calls if c.ended_at is None),
                policies_with_attempt=len({a.campaign_policy_id for a in attempts}),
                first_start_s=min((a.started_at.timestamp() for a in attempts), default=0.0),
                last_end_s=max(ends, default=0.0),
                attempt_s=sum(spans) / max(len(spans), 1),
                call_s=sum(lasted) / max(len(lasted), 1))
    finally:
        database.close()
