"""A local cluster to try several nodes as a user would: PostgreSQL, Kamailio, two nodes.

Everything on 127.0.0.1 on separate ports, under one folder: a PostgreSQL cluster (initdb'd on
first start, kept after), Kamailio dispatching inbound calls over the nodes, and per node a
`huifang serve` (SIP) and a `huifang serve-web` (screens) sharing the database, their live
events crossing nodes by LISTEN/NOTIFY. Stopped together by SIGINT/SIGTERM. The calls a node
places (`huifang campaign run`, `huifang call` with `huifang cluster env --node N --dial`)
leave from its dial ports through Kamailio, to the trunk when one is given.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from huifang.cluster.kamailio import ClusterError, ProxyConfig, dispatcher_list, kamailio_cfg

PG_USER = "huifang"


@dataclass(frozen=True)
class LocalCluster:
    """Ports and folder of a local cluster; node i gets sip_base+i and web_base+i."""

    folder: Path
    proxy_port: int = 5060
    pg_port: int = 55432
    sip_base: int = 5071
    web_base: int = 8081
    nodes: int = 2
    trunk: str = ""  # host:port the nodes' calls go out to; empty: their Request-URI's
    dial_base: int = 5100  # node i places calls from DIAL_BASE+10i … +9 (one port a worker)

    @property
    def db_url(self) -> str:
        return f"postgresql+psycopg://{PG_USER}@127.0.0.1:{self.pg_port}/postgres"

    def proxy(self) -> ProxyConfig:
        """Kamailio's view: the serve ports to spread calls over, the dial ports that place."""
        last = self.nodes - 1
        callers = (f"127.0.0.1:{self.sip_base}-{self.sip_base + last}",
                   f"127.0.0.1:{self.dial_base}-{self.dial_base + 10 * last + 9}")
        return ProxyConfig(f"127.0.0.1:{self.proxy_port}",
                           tuple(f"127.0.0.1:{self.sip_base + i}" for i in range(self.nodes)),
                           trunk=self.trunk, callers=callers)

    def node_env(self, index: int, *, dial: bool = False) -> dict[str, str]:
        """The environment node `index`'s serve (or, with dial, its calls placed) runs in."""
        return {**os.environ, **self.node_settings(index, dial=dial)}

    def node_settings(self, index: int, *, dial: bool = False) -> dict[str, str]:
        """Node `index`'s settings (what a real deployment sets per machine); with dial those
        of `huifang campaign run` / `huifang call` there: own SIP and RTP ports."""
        env = {"HUIFANG_DB_URL": self.db_url, "HUIFANG_NODE_NAME": f"node-{index + 1}",
               "HUIFANG_EVENT_BUS": "postgres", "HUIFANG_SIP_BIND_ADDRESS": "127.0.0.1",
               "HUIFANG_SIP_PORT": str(self.sip_base + index),
               "HUIFANG_SIP_TRANSPORT": "udp",
               "HUIFANG_SIP_OUTBOUND_PROXY": f"sip:127.0.0.1:{self.proxy_port};lr",
               "HUIFANG_WEB_PORT": str(self.web_base + index),
               "HUIFANG_RECORDINGS_DIR": str(self.folder / f"node-{index + 1}" / "rec"),
               # one pseudonym key for all: the nodes share the voiceprints table
               "HUIFANG_VOICEPRINT_KEY_FILE": str(self.folder / "keys" / "voiceprints.key")}
        if dial:
            env.update({"HUIFANG_SIP_PORT": str(self.dial_base + 10 * index),
                        "HUIFANG_SIP_RTP_PORT": str(20000 + 10000 * index)})
        return env


def _pg_bin() -> Path:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                        key=lambda p: int(p.split("/")[4]))
    if not candidates:
        raise ClusterError("PostgreSQL missing: apt-get install postgresql (bin/setup does)")
    return Path(candidates[-1]).parent


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def start_postgres(cluster: LocalCluster) -> Path:
    """Start (initdb on first use) the cluster's PostgreSQL; returns its data folder."""
    bin_dir = _pg_bin()
    pg = cluster.folder / "pg"
    data = pg / "data"
    pg.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(pg, "postgres", "postgres")
    if not data.exists():
        _run(_as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-U", PG_USER,
                           "-A", "trust"]))
    options = f"-p {cluster.pg_port} -k {pg} -c listen_addresses=127.0.0.1"
    _run(_as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options,
                       "-l", str(pg / "server.log"), "-w", "start"]))
    return data


def stop_postgres(data: Path) -> None:
    """Stop the cluster's PostgreSQL (fast shutdown)."""
    subprocess.run(_as_postgres([str(_pg_bin() / "pg_ctl"), "-D", str(data), "-m", "fast",
                                 "stop"]), capture_output=True, check=False)


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ClusterError(f"{Path(command[0]).name if command[0] != 'runuser' else command[4]}"
                           f" failed: {(done.stderr or done.stdout).strip()[-500:]}")


def write_proxy_files(cluster: LocalCluster) -> Path:
    """kamailio.cfg and dispatcher.list in the folder; returns the cfg's path."""
    config = cluster.proxy()
    (cluster.folder / "dispatcher.list").write_text(dispatcher_list(config))
    cfg = cluster.folder / "kamailio.cfg"
    cfg.write_text(kamailio_cfg(config, cluster.folder / "dispatcher.list"))
    return cfg


def run_cluster(cluster: LocalCluster, *, web: bool = True) -> int:
    """Start everything, print where it listens, wait for SIGINT/SIGTERM, stop everything."""
    if shutil.which("kamailio") is None:
        raise ClusterError("kamailio missing: apt-get install kamailio (bin/setup does)")
    cluster.folder.mkdir(parents=True, exist_ok=True)
    data = start_postgres(cluster)
    processes: dict[str, subprocess.Popen[bytes]] = {}
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        migrate = [sys.executable, "-m", "huifang", "db", "upgrade", "--db-url", cluster.db_url]
        _run(migrate)  # once, before the nodes start
        cfg = write_proxy_files(cluster)
        logs = cluster.folder / "logs"
        logs.mkdir(exist_ok=True)
        commands = [("kamailio", ["kamailio", "-DD", "-E", "-f", str(cfg), "-Y",
                                  str(cluster.folder)], dict(os.environ))]
        for i in range(cluster.nodes):
            env = cluster.node_env(i)
            serve = [sys.executable, "-m", "huifang", "serve"]
            commands.append((f"node-{i + 1}-serve", serve, env))
            if web:
                commands.append((f"node-{i + 1}-web", [sys.executable, "-m", "huifang",
                                                       "serve-web"], env))
        for name, command, env in commands:
            log = (logs / f"{name}.log").open("ab")
            processes[name] = subprocess.Popen(command, env=env, stdout=log,
                                               stderr=subprocess.STDOUT)
        proxy = cluster.proxy()
        print(f"cluster up under {cluster.folder}: calls to sip:huifang@{proxy.listen} "
              f"spread over {', '.join(proxy.nodes)}; database {cluster.db_url}", flush=True)
        if web:
            print("screens: " + ", ".join(f"http://127.0.0.1:{cluster.web_base + i}/"
                                          for i in range(cluster.nodes)), flush=True)
        print("calls placed by node 1 (campaign run, call): eval \"$(huifang cluster env "
              f"--folder {cluster.folder} --node 1 --dial)\""
              + (f", out to the trunk {cluster.trunk}" if cluster.trunk else ""), flush=True)
        print(f"logs in {logs}; Ctrl-C stops everything", flush=True)
        while not stopping:
            for name, process in list(processes.items()):
                if process.poll() is not None:
                    print(f"huifang cluster: {name} exited ({process.returncode}); "
                          f"see {logs / (name + '.log')}", file=sys.stderr, flush=True)
                    del processes[name]
            time.sleep(0.5)
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
        stop_postgres(data)
    return 0
