"""Shared helpers for the storage tests: fixture files, a migrated database, a throwaway
PostgreSQL cluster, and a dialogue driven to its events."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import psycopg
from free_ports import free_port
from sqlalchemy import text as sql_text

from scripts_zh.dialogue import CallbackDialogue
from scripts_zh.dialogue_events import DialogueEvent
from scripts_zh.policy import PolicyRecord
from scripts_zh.script_loader import script_for
from storage.database import Database, open_database
from storage.models import Base

DATA = Path(__file__).with_name("data")
GOOD_CSV = DATA / "policies_good.csv"
MIXED_CSV = DATA / "policies_mixed.csv"
PG_USER = "huifang"


def sqlite_db(folder: Path) -> Database:
    """A migrated SQLite database in a file under `folder`."""
    return open_database(f"sqlite:///{folder / 'huifang.db'}")


def emptied(database: Database) -> Database:
    """The module's PostgreSQL database with every table emptied (TRUNCATE takes milliseconds
    where CREATE DATABASE takes half a second)."""
    with database.session() as session:
        tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
        session.execute(sql_text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    return database


def postgres_bin_dir() -> Path:
    """Where initdb and pg_ctl live; fails loudly when PostgreSQL is not installed."""
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    if not candidates:
        raise RuntimeError("PostgreSQL binaries missing: apt-get install postgresql (bin/setup)")
    return Path(candidates[-1]).parent


def _as_postgres_user(command: list[str]) -> list[str]:
    """Postgres refuses to run as root: run it as the postgres account then."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def postgres_cluster() -> Iterator[str]:
    """A fresh PostgreSQL cluster on a free loopback port; yields its admin URL, then removes it."""
    bin_dir = postgres_bin_dir()
    folder = Path(tempfile.mkdtemp(prefix="huifang-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data = folder / "data"
    port = free_port()
    run = _as_postgres_user
    initdb = [str(bin_dir / "initdb"), "-D", str(data), "-U", PG_USER, "-A", "trust", "--no-sync"]
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    pg_ctl = str(bin_dir / "pg_ctl")
    log = folder / "server.log"  # the server must not hold our pipes open: it logs here
    try:
        _must_run(run(initdb))
        _must_run(run([pg_ctl, "-D", str(data), "-o", options, "-l", str(log), "-w", "start"]), log)
        yield f"postgresql+psycopg://{PG_USER}@127.0.0.1:{port}/postgres"
    finally:
        stop = run([pg_ctl, "-D", str(data), "-m", "immediate", "stop"])
        subprocess.run(stop, check=False, capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def _must_run(command: list[str], log: Path | None = None) -> None:
    """Run a PostgreSQL tool; on failure raise with its output and the server log."""
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        server = log.read_text(errors="replace") if log and log.exists() else ""
        raise RuntimeError(f"{' '.join(command)} failed: {done.stdout}{done.stderr}{server}")


def fresh_postgres_database(admin_url: str) -> str:
    """A new empty database in the cluster; returns its SQLAlchemy URL."""
    name = f"t{time.monotonic_ns()}"
    plain = admin_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"'.encode())
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def run_dialogue(policy: PolicyRecord, answers: Sequence[str]) -> list[DialogueEvent]:
    """The events of a callback in which the customer says `answers`, one per prompt, 6 s apart."""
    dialogue = CallbackDialogue(script_for(policy), policy)
    dialogue.start()
    at_ms = 8_000
    for text in answers:
        if dialogue.finished:
            break
        dialogue.on_answer(text, at_ms, at_ms + 1_200)
        at_ms += 6_000
    return list(dialogue.events)


def today() -> date:
    """A fixed 'today' inside the fixture policies' 犹豫期 (receipts 2024-11-04 … 11-09)."""
    return date(2024, 11, 10)
