"""Voiceprints in the shared database (issue 19): what one store instance adds or deletes,
another on its own engine finds or misses; holders only by pseudonym; the same ranking as the
file index; the purge and the key checks. On SQLite and on a real PostgreSQL."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from alembic import command
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import DBAPIError
from storage_testkit import emptied, fresh_postgres_database, postgres_cluster, sqlite_db

from agent_assist.voiceprint import VOICEPRINT_DIM, Voiceprint
from agent_assist.voiceprint_index import (
    VoiceprintEntry,
    VoiceprintIndex,
    VoiceprintStorageForbiddenError,
)
from agent_assist.voiceprint_pseudonyms import VoiceprintKeyError
from storage.audit import Actor
from storage.database import Database, make_engine, open_database
from storage.migrations import alembic_config, upgrade_to_head
from storage.models import CallDirection, CallRecord
from storage.purge import apply_purge, plan_purge
from storage.retention import RetentionPolicy
from storage.voiceprint_models import StoredVoiceprint, VoiceprintDeletion
from storage.voiceprints import PRUNE_AFTER, DatabaseVoiceprints, prune_deletions

KEY = b"k" * 32
WANG = "王秀英|1965-03-08|402X"
LI = "李建国|1972-07-19|0315"
STARTED = datetime(2024, 11, 10, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    with postgres_cluster() as admin:
        yield fresh_postgres_database(admin)


@pytest.fixture(scope="module")
def pg_db(pg_url: str) -> Iterator[Database]:
    database = open_database(pg_url)
    yield database
    database.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def two(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Database, Database]]:
    """Two databases on one store, each with its own engine (as two nodes have)."""
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_url")
        emptied(request.getfixturevalue("pg_db"))
    else:
        url = f"sqlite:///{tmp_path / 'huifang.db'}"
    a, b = open_database(url), open_database(url)
    yield a, b
    a.close()
    b.close()


def _unit(seed: int) -> Voiceprint:
    vector = np.random.default_rng(seed).standard_normal(VOICEPRINT_DIM).astype(np.float32)
    unit: Voiceprint = vector / np.linalg.norm(vector)
    return unit


def _near(base: Voiceprint, seed: int, noise: float) -> Voiceprint:
    vector = base + noise * _unit(seed)
    unit: Voiceprint = (vector / np.linalg.norm(vector)).astype(np.float32)
    return unit


def _calls(db: Database, count: int, recording: Path | None = None) -> list[int]:
    """Finished calls to hang voiceprints on (a voiceprint names its call)."""
    with db.session() as session:
        calls = [CallRecord(direction=CallDirection.OUTBOUND, sip_uri="sip:pbx",
                            started_at=STARTED, ended_at=STARTED, outcome="completed",
                            recording_path=str(recording) if recording else None)
                 for _ in range(count)]
        session.add_all(calls)
        session.flush()
        return [call.id for call in calls]


def _entry(holder: str, policy_no: str, call_id: int, salesperson: str = "") -> VoiceprintEntry:
    return VoiceprintEntry(holder, policy_no, str(call_id), "customer", salesperson, "一组")


def _store(db: Database, allowed: bool = True, key: bytes | None = KEY) -> DatabaseVoiceprints:
    return DatabaseVoiceprints(db.engine, allowed, key)


def test_added_on_one_node_is_found_on_the_other_and_deleted_everywhere(
    two: tuple[Database, Database],
) -> None:
    a_db, b_db = two
    node_a, node_b = _store(a_db), _store(b_db)
    assert node_b.search(_unit(1), 0.8) == [] and len(node_b) == 0  # its cache is filled now
    first, second, third = _calls(a_db, 3)
    node_a.replace_call(_entry(WANG, "8644012024110001", first, "李明"), _unit(1))
    node_a.replace_call(_entry(LI, "8644012024110002", second, "李明"), _near(_unit(1), 9, 0.3))
    (best, other) = node_b.search(_unit(1), 0.8)
    assert best.entry.policy_no == "8644012024110001" and best.score == pytest.approx(1.0)
    assert best.entry.policyholder_id == node_b.holder_key(WANG) != WANG
    assert (best.entry.salesperson, best.entry.team, best.entry.call_id) == (
        "李明", "一组", str(first))
    assert other.entry.policy_no == "8644012024110002" and other.score < best.score
    node_b.replace_call(_entry(WANG, "8644012024110001", third), _unit(2))  # B adds too
    assert [h.entry.call_id for h in node_a.search(_unit(2), 0.8)] == [str(third)]
    assert node_b.remove_policyholder(WANG) == 2  # the holder's request, taken on node B
    assert [h.entry.policy_no for h in node_a.search(_unit(1), 0.8)] == ["8644012024110002"]
    assert node_a.search(_unit(2), 0.8) == [] and len(node_a) == 1
    node_a.replace_call(_entry(LI, "8644012024110002", second), _unit(3))  # stored again
    assert node_b.search(_unit(1), 0.8) == []
    assert [h.entry.call_id for h in node_b.search(_unit(3), 0.8)] == [str(second)]
    assert node_a.remove_call(str(second)) == 1 and node_b.entries() == ()


def test_rows_name_no_one(two: tuple[Database, Database]) -> None:
    db, _ = two
    store = _store(db)
    (call,) = _calls(db, 1)
    store.replace_call(_entry(WANG, "8644012024110001", call), _unit(1))
    with db.session() as session:
        (row,) = session.scalars(select(StoredVoiceprint)).all()
        dump = " ".join(str(value) for value in vars(row).values())
    assert row.holder.startswith("hmac:") and row.created_at.tzinfo is not None
    assert np.frombuffer(row.embedding, "<f4") == pytest.approx(_unit(1))
    for part in WANG.split("|"):
        assert part not in dump


def test_ranking_is_the_file_indexs(two: tuple[Database, Database]) -> None:
    """The same vectors give the same hits in the same order with the same scores."""
    db, _ = two
    store = _store(db)
    index = VoiceprintIndex(None, store_allowed=True, key=KEY)
    base = _unit(7)
    vectors = np.stack([_near(base, seed, noise) for seed, noise in
                        zip(range(100, 160), np.linspace(0.05, 1.5, 60), strict=True)])
    calls = _calls(db, len(vectors))
    entries = [_entry(f"holder{i}|1970-01-01|{i:04d}", f"86440120241100{i:02d}", call)
               for i, call in enumerate(calls)]
    store.add_many(entries[:30], vectors[:30])
    store.add_many(entries[30:], vectors[30:])  # a second batch: the incremental refresh
    index.add_many(entries, vectors)
    for threshold in (0.5, 0.8, 0.95):
        ours = [(h.entry, round(h.score, 6)) for h in store.search(base, threshold)]
        theirs = [(h.entry, round(h.score, 6)) for h in index.search(base, threshold)]
        assert ours == theirs and len(ours) > 0


def test_storing_needs_the_setting_and_the_key(two: tuple[Database, Database]) -> None:
    db, _ = two
    (call,) = _calls(db, 1)
    with pytest.raises(VoiceprintStorageForbiddenError, match="HUIFANG_STORE_VOICEPRINTS"):
        _store(db, allowed=False).replace_call(_entry(WANG, "1", call), _unit(1))
    with pytest.raises(VoiceprintStorageForbiddenError, match="pseudonym key"):
        _store(db, key=None).replace_call(_entry(WANG, "1", call), _unit(1))
    _store(db).replace_call(_entry(WANG, "1", call), _unit(1))
    with pytest.raises(VoiceprintKeyError, match="another pseudonym key"):
        _store(db, key=b"y" * 32).search(_unit(1), 0.8)
    with pytest.raises(VoiceprintKeyError, match="no pseudonym key"):
        len(_store(db, key=None))
    assert _store(db, allowed=False).remove_policyholder(WANG) == 1  # deletion needs no setting


def test_concurrent_changes_are_all_seen_by_a_searching_node(
    two: tuple[Database, Database],
) -> None:
    """Two writers add (and delete every third again) while a third searches on: the
    incremental refresh misses no addition and no deletion."""
    a_db, b_db = two
    calls = _calls(a_db, 60)
    reader = _store(b_db)
    writers = [_store(a_db), _store(b_db)]
    done = threading.Event()
    seen: list[int] = []

    def write(store: DatabaseVoiceprints, mine: list[int]) -> None:
        for call in mine:
            store.replace_call(_entry(f"h{call}", str(call), call), _unit(call))
            if call % 3 == 0:
                store.remove_call(str(call))

    def read() -> None:
        while not done.is_set():
            seen.append(len(reader))

    threads = [threading.Thread(target=write, args=(writers[i], calls[i::2])) for i in (0, 1)]
    watcher = threading.Thread(target=read)
    watcher.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done.set()
    watcher.join()
    kept = [call for call in calls if call % 3]
    assert len(seen) > 1 and len(reader) == len(kept)
    assert sorted(int(e.call_id) for e in reader.entries()) == kept
    for call in calls[::7]:
        assert [h.entry.call_id for h in reader.search(_unit(call), 0.9)] == (
            [str(call)] if call % 3 else [])


def test_the_purge_takes_the_voiceprints_of_recordings_it_removes(tmp_path: Path) -> None:
    db = sqlite_db(tmp_path)
    roots = [tmp_path / "rec"]
    roots[0].mkdir()
    (roots[0] / "a.wav").write_bytes(b"RIFF")
    (due,) = _calls(db, 1, roots[0] / "a.wav")
    other = _store(open_database(f"sqlite:///{tmp_path / 'huifang.db'}"))
    store = _store(db)
    store.replace_call(_entry(WANG, "1", due), _unit(1))
    with db.session() as session:
        fresh = CallRecord(direction=CallDirection.OUTBOUND, sip_uri="sip:pbx",
                           started_at=datetime(2030, 1, 1, tzinfo=UTC),
                           ended_at=datetime(2030, 1, 1, tzinfo=UTC), outcome="completed")
        session.add(fresh)
        session.flush()
        kept = fresh.id
    store.replace_call(_entry(LI, "2", kept), _unit(2))
    assert len(other) == 2
    with db.session() as session:
        plan = plan_purge(session, RetentionPolicy(10, 10, 10), datetime(2036, 1, 1, tzinfo=UTC))
        assert plan.calls == (due,)
        result = apply_purge(session, plan, Actor(None, "os:clerk"), roots)
    assert result.voiceprints == 1 and result.calls == 1
    assert [h.entry.call_id for h in other.search(_unit(2), 0.8)] == [str(kept)]
    assert other.search(_unit(1), 0.8) == []


def test_a_truncated_state_row_is_made_again(two: tuple[Database, Database]) -> None:
    db, _ = two
    with db.session() as session:
        session.execute(text("DELETE FROM voiceprint_state"))
    (call,) = _calls(db, 1)
    store = _store(db)
    store.replace_call(_entry(WANG, "1", call), _unit(1))
    assert store.remove_policyholder(WANG) == 1 and len(store) == 0


def _matrix(store: DatabaseVoiceprints) -> npt.NDArray[np.float32]:
    return store._matrix  # the cache, to see it grow


def test_the_cache_grows_by_doubling(tmp_path: Path) -> None:
    db = sqlite_db(tmp_path)
    store = _store(db)
    calls = _calls(db, 70)
    for call in calls:
        store.replace_call(_entry(f"h{call}", str(call), call), _unit(call))
        assert len(store) == calls.index(call) + 1
    assert len(_matrix(store)) == 128
    db.close()


def test_an_unreachable_database_searches_the_copy_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A live call's search must not fail its other voice cues: the copy loaded, a warning."""
    engine = make_engine(f"postgresql+psycopg://huifang@127.0.0.1:{_closed_port()}/none")
    store = DatabaseVoiceprints(engine, True, KEY)
    assert store.search(_unit(1), 0.8) == [] and len(store) == 0
    assert "database unreachable" in caplog.text
    with pytest.raises(DBAPIError):  # a change, though, is not silently lost
        store.remove_policyholder(WANG)
    engine.dispose()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_revision_0015_makes_the_tables_and_the_state_row_and_takes_them_back(
    tmp_path: Path,
) -> None:
    db = sqlite_db(tmp_path)
    with db.session() as session:
        assert session.execute(text("SELECT id, deletions, additions FROM voiceprint_state")
                               ).all() == [(1, 0, 0)]
    with db.engine.begin() as connection:
        command.downgrade(alembic_config(connection), "0014")
    assert not {"voiceprints", "voiceprint_state"} & set(inspect(db.engine).get_table_names())
    upgrade_to_head(db.engine)
    (call,) = _calls(db, 1)
    _store(db).replace_call(_entry(WANG, "1", call), _unit(1))
    assert len(_store(db)) == 1
    db.close()


def _add_one_per_call(store: DatabaseVoiceprints, calls: list[int]) -> None:
    """One voiceprint per call, each of its own holder (h<call>), in one transaction."""
    store.add_many([_entry(f"h{c}", str(c), c) for c in calls],
                   np.stack([_unit(c) for c in calls]))


def test_a_deletion_drops_rows_from_the_other_caches_without_a_reload(
    two: tuple[Database, Database], monkeypatch: pytest.MonkeyPatch,
) -> None:
    a_db, b_db = two
    node_a, node_b = _store(a_db), _store(b_db)
    calls = _calls(a_db, 20)
    _add_one_per_call(node_a, calls)
    assert len(node_a) == 20

    def no_reload() -> None:
        raise AssertionError("reloaded whole")

    monkeypatch.setattr(node_a, "_clear", no_reload)
    assert node_b.remove_call(str(calls[3])) == 1
    assert node_b.remove_policyholder(f"h{calls[7]}") == 1
    assert node_a.search(_unit(calls[3]), 0.9) == [] and len(node_a) == 18
    assert [h.entry.call_id for h in node_a.search(_unit(calls[8]), 0.9)] == [str(calls[8])]
    assert len(node_a.search(_unit(calls[8]), -1.0)) == 18  # no deleted row at any bar
    for call in calls[10:14]:  # past a quarter deleted: the copy is compacted
        node_b.remove_call(str(call))
    assert len(node_a) == 14 and len(_matrix(node_a)) >= 20
    assert sorted(int(e.call_id) for e in node_a.entries()) == sorted(
        set(calls) - {calls[3], calls[7], *calls[10:14]})
    assert len(node_a.search(_unit(calls[8]), -1.0)) == 14


def test_a_cache_that_missed_pruned_deletions_reloads_whole(
    two: tuple[Database, Database],
) -> None:
    a_db, b_db = two
    node_a, node_b = _store(a_db), _store(b_db)
    calls = _calls(a_db, 5)
    _add_one_per_call(node_a, calls)
    assert len(node_a) == 5
    assert node_b.remove_call(str(calls[0])) == 1
    with b_db.session() as session:  # a week on: the records of that deletion are forgotten
        assert prune_deletions(session, datetime.now(UTC) + PRUNE_AFTER) > 0
        assert session.scalar(select(func.count()).select_from(VoiceprintDeletion)) == 0
    assert len(node_a) == 4 and node_a.search(_unit(calls[0]), 0.9) == []
    node_b.replace_call(_entry("h", str(calls[0]), calls[0]), _unit(99))
    assert [h.entry.call_id for h in node_a.search(_unit(99), 0.9)] == [str(calls[0])]


_NODE = """
import sys
import numpy as np
from agent_assist.voiceprint import VOICEPRINT_DIM
from agent_assist.voiceprint_index import VoiceprintEntry
from storage.database import open_database
from storage.voiceprints import DatabaseVoiceprints
url, action, call = sys.argv[1], sys.argv[2], sys.argv[3]
vector = np.random.default_rng(int(call)).standard_normal(VOICEPRINT_DIM).astype(np.float32)
vector /= np.linalg.norm(vector)
db = open_database(url)
store = DatabaseVoiceprints(db.engine, True, b"k" * 32)
if action == "add":
    store.replace_call(VoiceprintEntry("王秀英|1965-03-08|402X", "P1", call), vector)
print(",".join(hit.entry.call_id for hit in store.search(vector, 0.8)))
db.close()
"""


def test_two_processes_on_postgresql_see_each_others_changes(pg_url: str, pg_db: Database,
                                                             tmp_path: Path) -> None:
    """Node A (this process) and node B (another process, its own engine and copy)."""
    emptied(pg_db)
    (first, second) = _calls(pg_db, 2)
    script = tmp_path / "node.py"
    script.write_text(_NODE, encoding="utf-8")
    root = Path(__file__).resolve().parents[2]

    def node_b(action: str, call: int) -> str:
        done = subprocess.run([sys.executable, str(script), pg_url, action, str(call)],
                              capture_output=True, text=True, timeout=120, check=True,
                              cwd=root, env={**os.environ, "PYTHONPATH": str(root)})
        return done.stdout.strip()

    node_a = _store(pg_db)
    assert len(node_a) == 0
    assert node_b("add", first) == str(first)  # added on B …
    assert [h.entry.call_id for h in node_a.search(_unit(first), 0.8)] == [str(first)]  # … on A
    node_a.replace_call(_entry(WANG, "P2", second), _unit(second))  # added on A, found on B
    assert node_b("search", second) == str(second)
    assert node_a.remove_policyholder(WANG) == 2  # deleted on A: gone on B
    assert node_b("search", first) == "" and node_b("search", second) == ""
    assert node_b("add", first) == str(first)
    assert node_a.search(_unit(first), 0.8)[0].entry.call_id == str(first)
