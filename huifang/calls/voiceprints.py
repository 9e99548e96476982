"""Which voiceprint store a process uses: a node's file pair, or the database every node shares
(HUIFANG_VOICEPRINT_STORE; auto: the database where the database is PostgreSQL)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from agent_assist.voiceprint_index import SIDECAR_FILE, VoiceprintStore
from agent_assist.voiceprint_store import SharedVoiceprints
from huifang.settings import Settings, voiceprint_key, voiceprints_in_database
from storage.database import Database, open_database
from storage.voiceprints import DatabaseVoiceprints

log = logging.getLogger(__name__)


def _in_database(settings: Settings, database: Database | None) -> bool:
    url = database.engine.url.render_as_string() if database is not None else None
    return voiceprints_in_database(settings, url)


def open_voiceprints(settings: Settings, database: Database | None = None,
                     store_allowed: bool | None = None) -> VoiceprintStore:
    """The deployment's voiceprint store (in `database` where given, else HUIFANG_DB_URL's);
    adding refused unless `store_allowed` (default: HUIFANG_STORE_VOICEPRINTS). StorageError
    when the database cannot be opened."""
    allowed = settings.store_voiceprints if store_allowed is None else store_allowed
    key = voiceprint_key(settings)
    if _in_database(settings, database):
        if (Path(settings.voiceprints_dir) / SIDECAR_FILE).exists():
            log.warning("voiceprints: the files in %s are not searched (the database store is"
                        " in use): `huifang voiceprints move-to-database` moves them",
                        settings.voiceprints_dir)
        engine = (database or open_database(settings.db_url)).engine
        return DatabaseVoiceprints(engine, allowed, key)
    return SharedVoiceprints(Path(settings.voiceprints_dir), allowed, key)


def stored_voiceprints(settings: Settings,
                       database: Database | None = None) -> VoiceprintStore | None:
    """The store to search where any voiceprints may be kept; None where none can be (the
    file store before its first voiceprint)."""
    no_sidecar = not (Path(settings.voiceprints_dir) / SIDECAR_FILE).exists()
    if no_sidecar and not _in_database(settings, database):
        return None
    return open_voiceprints(settings, database)


def file_voiceprint_remover(settings: Settings) -> Callable[[Sequence[int]], int] | None:
    """What deletes stored calls' voiceprints from this node's file store (the purge), or None
    where the store holds none. Files left behind by `move-to-database` count too."""
    folder = Path(settings.voiceprints_dir)
    if not (folder / SIDECAR_FILE).exists():
        return None
    store = SharedVoiceprints(folder, False, voiceprint_key(settings))  # deletions only
    return lambda call_ids: store.remove_calls({str(call_id) for call_id in call_ids})
