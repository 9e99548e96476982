"""Which voiceprint store a process opens (HUIFANG_VOICEPRINT_STORE): the node's files on the
embedded SQLite defaults, the shared table where the database is PostgreSQL or asked for."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from agent_assist.voiceprint import VOICEPRINT_DIM, Voiceprint
from agent_assist.voiceprint_index import VoiceprintEntry
from agent_assist.voiceprint_store import SharedVoiceprints
from huifang.calls.pipeline import voice_checks
from huifang.calls.voiceprints import open_voiceprints, stored_voiceprints
from huifang.cli import main
from huifang.cluster.local import LocalCluster
from huifang.settings import Settings, get_settings, voiceprint_key, voiceprints_in_database
from huifang.web.user_accounts import add_user
from storage.audit import audit_entries
from storage.database import open_database
from storage.models import CallDirection, CallRecord, UserRole
from storage.voiceprints import DatabaseVoiceprints

PG = "postgresql+psycopg://huifang@127.0.0.1:55432/postgres"


@pytest.mark.parametrize(("store", "url", "in_database"), [
    ("auto", "sqlite:///var/huifang.db", False),
    ("auto", PG, True),
    ("file", PG, False),
    ("database", "sqlite:///var/huifang.db", True),
])
def test_the_setting_and_the_database_pick_the_store(store: str, url: str,
                                                     in_database: bool) -> None:
    settings = Settings(voiceprint_store=store, db_url=url)
    assert voiceprints_in_database(settings) is in_database


def test_the_defaults_keep_the_files_and_make_no_database(tmp_path: Path) -> None:
    settings = Settings(voiceprints_dir=str(tmp_path / "vp"),
                        db_url=f"sqlite:///{tmp_path / 'none.db'}")
    assert isinstance(open_voiceprints(settings), SharedVoiceprints)
    assert stored_voiceprints(settings) is None  # nothing stored yet: nothing searched
    assert not (tmp_path / "none.db").exists() and not (tmp_path / "keys").exists()


def test_the_database_store_uses_the_process_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'huifang.db'}"
    settings = Settings(voiceprint_store="database", store_voiceprints=True, db_url=url,
                        voiceprints_dir=str(tmp_path / "vp"), voice_cues=False)
    database = open_database(url)
    store = voice_checks(settings, database).voiceprints
    assert isinstance(store, DatabaseVoiceprints) and store.store_allowed and len(store) == 0
    assert (tmp_path / "keys" / "voiceprints.key").exists() and not (tmp_path / "vp").exists()
    database.close()


def test_the_local_clusters_nodes_share_the_table_and_the_key(tmp_path: Path) -> None:
    cluster = LocalCluster(tmp_path)
    envs = [cluster.node_env(i) for i in range(2)]
    assert envs[0]["HUIFANG_VOICEPRINT_KEY_FILE"] == envs[1]["HUIFANG_VOICEPRINT_KEY_FILE"]
    settings = Settings(db_url=envs[0]["HUIFANG_DB_URL"])
    assert voiceprints_in_database(settings)


def _unit(seed: int) -> Voiceprint:
    vector = np.random.default_rng(seed).standard_normal(VOICEPRINT_DIM).astype(np.float32)
    unit: Voiceprint = vector / np.linalg.norm(vector)
    return unit


def test_a_nodes_files_move_into_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """Voiceprints of calls the database holds move (once); the rest stay in the files."""
    url = f"sqlite:///{tmp_path / 'huifang.db'}"
    folder = tmp_path / "voiceprints"
    for name, value in {"HUIFANG_DB_URL": url, "HUIFANG_VOICEPRINTS_DIR": str(folder),
                        "HUIFANG_VOICEPRINT_STORE": "database",
                        "HUIFANG_STORE_VOICEPRINTS": "true"}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    db = open_database(url)
    now = datetime.now(UTC)
    with db.session() as session:
        calls = [CallRecord(direction=CallDirection.OUTBOUND, sip_uri="sip:pbx",
                            started_at=now, ended_at=now) for _ in range(3)]
        session.add_all(calls)
        session.flush()
        ids = [str(call.id) for call in calls]
        add_user(session, "张合规", UserRole.SUPERVISOR, "合规专员 2024-move")
    key = voiceprint_key(get_settings())
    files = SharedVoiceprints(folder, True, key)
    for call_id, holder in ((ids[0], "甲|1960-01-01|0001"), (ids[1], "乙|1961-01-01|0002"),
                            ("c9", "丙|1962-01-01|0003")):
        files.replace_call(VoiceprintEntry(holder, f"P{call_id}", call_id), _unit(ord(holder[0])))
    database = DatabaseVoiceprints(db.engine, True, key)
    database.replace_call(VoiceprintEntry("乙|1961-01-01|0002", f"P{ids[1]}", ids[1]), _unit(7))
    try:
        assert main(["voiceprints", "move-to-database", "--by", "张合规"]) == 0
        assert json.loads(capsys.readouterr().out) == {
            "moved": 1, "already_in_database": 1, "left_in_files": 1}
        assert sorted(e.call_id for e in database.entries()) == sorted(ids[:2])
        assert [e.call_id for e in files.entries()] == ["c9"]
        files.remove_call("c9")
        files.replace_call(VoiceprintEntry("丁|1963-01-01|0004", "P3", ids[2]), _unit(3))
        assert main(["voiceprints", "move-to-database", "--by", "张合规"]) == 0
        assert json.loads(capsys.readouterr().out)["moved"] == 1
        assert not (folder / "voiceprints.json").exists()  # nothing left: the files go
        assert main(["voiceprints", "move-to-database", "--by", "张合规"]) == 2
        assert "no voiceprint files" in capsys.readouterr().err
        with db.session() as session:
            assert [e.action for e in audit_entries(session, entity="voiceprints")] == [
                "voiceprints.move", "voiceprints.move"]
    finally:
        get_settings.cache_clear()
        db.close()
