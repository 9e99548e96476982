"""Which voiceprint store a process opens (HUIFANG_VOICEPRINT_STORE): the node's files on the
embedded SQLite defaults, the shared table where the database is PostgreSQL or asked for."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent_assist.voiceprint_store import SharedVoiceprints
from huifang.calls.pipeline import voice_checks
from huifang.calls.voiceprints import open_voiceprints, stored_voiceprints
from huifang.cluster.local import LocalCluster
from huifang.settings import Settings, voiceprints_in_database
from storage.database import open_database
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
