"""The voiceprint sidecar names no one: keyed pseudonyms, an old plain sidecar migrated on load."""

from __future__ import annotations

import os
import stat
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from agent_assist.duplicate_voice import find_duplicate_voices
from agent_assist.voice_cues import PolicyholderRecord
from agent_assist.voice_estimates import VoiceGender
from agent_assist.voiceprint import VOICEPRINT_DIM, Voiceprint
from agent_assist.voiceprint_index import (
    SIDECAR_FILE,
    VoiceprintEntry,
    VoiceprintIndex,
)
from agent_assist.voiceprint_pseudonyms import VoiceprintKeyError, is_pseudonym
from agent_assist.voiceprint_store import SharedVoiceprints
from huifang.cli import main
from huifang.settings import Settings, get_settings, voiceprint_key
from zhtext.private_files import private_key

WANG = "王秀英|1965-03-08|402X"
LI = "李建国|1972-07-19|0315"
KEY = b"k" * 32


def _unit(seed: int) -> Voiceprint:
    vector = np.random.default_rng(seed).standard_normal(VOICEPRINT_DIM).astype(np.float32)
    unit: Voiceprint = vector / np.linalg.norm(vector)
    return unit


def _record(holder_id: str) -> PolicyholderRecord:
    return PolicyholderRecord(holder_id, "8644012024110009", VoiceGender.FEMALE,
                              date(1965, 3, 8), "李明", "", "", "")


def _sidecar(folder: Path) -> str:
    return (folder / SIDECAR_FILE).read_text(encoding="utf-8")


def _assert_names_no_one(text: str) -> None:
    for part in (*WANG.split("|"), *LI.split("|")):
        assert part not in text


def test_the_sidecar_holds_pseudonyms_and_hits_still_name_the_policy(tmp_path: Path) -> None:
    index = VoiceprintIndex(tmp_path, store_allowed=True, key=KEY)
    index.add(VoiceprintEntry(WANG, "8644012024110001", "1", salesperson="李明"), _unit(1))
    index.add(VoiceprintEntry(LI, "8644012024110002", "2"), _unit(2))
    index.save()
    _assert_names_no_one(_sidecar(tmp_path))
    reopened = VoiceprintIndex.open(tmp_path, store_allowed=True, key=KEY)
    (hit,) = reopened.search(_unit(1), 0.9)
    assert hit.entry.policy_no == "8644012024110001"  # resolved to the policy via the database
    assert is_pseudonym(hit.entry.policyholder_id)
    assert hit.entry.policyholder_id == reopened.holder_key(WANG)
    assert reopened.holder_key(WANG) != VoiceprintIndex(None, True, b"x" * 32).holder_key(WANG)
    assert reopened.remove_policyholder(WANG) == 1  # a deletion request names the holder plainly
    assert [e.policy_no for e in reopened.entries()] == ["8644012024110002"]


def test_the_same_holder_is_not_another_policyholder(tmp_path: Path) -> None:
    index = VoiceprintIndex(tmp_path, store_allowed=True, key=KEY)
    index.add(VoiceprintEntry(WANG, "8644012024110001", "1", salesperson="李明"), _unit(1))
    index.add(VoiceprintEntry(LI, "8644012024110002", "2", salesperson="李明"), _unit(1))
    matches = find_duplicate_voices(index, _unit(1), _record(WANG))
    assert [m.entry.policy_no for m in matches] == ["8644012024110002"]


def test_a_plain_sidecar_is_pseudonymised_when_the_store_opens(tmp_path: Path) -> None:
    old = VoiceprintIndex(tmp_path, store_allowed=True)  # as written before pseudonyms
    old.add(VoiceprintEntry(WANG, "8644012024110001", "1"), _unit(1))
    old.add(VoiceprintEntry(LI, "8644012024110002", "2"), _unit(2))
    old.save()
    assert WANG in _sidecar(tmp_path)
    matrix = (tmp_path / "voiceprints.npy").read_bytes()
    store = SharedVoiceprints(tmp_path, store_allowed=True, key=KEY)
    _assert_names_no_one(_sidecar(tmp_path))
    assert (tmp_path / "voiceprints.npy").read_bytes() == matrix
    assert stat.S_IMODE(os.stat(tmp_path / SIDECAR_FILE).st_mode) == 0o600
    (hit,) = store.search(_unit(2), 0.9)
    assert hit.entry.policyholder_id == store.holder_key(LI)
    assert find_duplicate_voices(store, _unit(2), _record(LI)) == []
    reread = VoiceprintIndex.open(tmp_path, store_allowed=False, key=KEY)
    assert reread.plain_ids_found == 0 and len(reread) == 2


def test_a_sidecar_of_another_key_is_refused(tmp_path: Path) -> None:
    index = VoiceprintIndex(tmp_path, store_allowed=True, key=KEY)
    index.add(VoiceprintEntry(WANG, "8644012024110001", "1"), _unit(1))
    index.save()
    with pytest.raises(VoiceprintKeyError, match="another pseudonym key"):
        VoiceprintIndex.open(tmp_path, store_allowed=True, key=b"y" * 32)


def test_the_key_is_made_once_0600_in_a_0700_folder(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "voiceprints.key"
    key = private_key(path)
    assert len(key) == 32 and private_key(path) == key
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert list(path.parent.iterdir()) == [path]  # no draft left behind
    path.write_bytes(b"short")
    with pytest.raises(ValueError, match="too short"):
        private_key(path)


def test_no_key_is_made_where_voiceprints_are_off(tmp_path: Path) -> None:
    folder = tmp_path / "voiceprints"
    off = Settings(store_voiceprints=False, voiceprints_dir=str(folder))
    assert voiceprint_key(off) is None and not (tmp_path / "keys").exists()
    on = Settings(store_voiceprints=True, voiceprints_dir=str(folder))
    assert voiceprint_key(on) == (tmp_path / "keys" / "voiceprints.key").read_bytes()


def test_voiceprints_under_another_key_are_one_error_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "voiceprints"
    index = VoiceprintIndex(folder, store_allowed=True, key=KEY)
    index.add(VoiceprintEntry(WANG, "8644012024110001", "1"), _unit(1))
    index.save()
    monkeypatch.setenv("HUIFANG_VOICEPRINTS_DIR", str(folder))
    get_settings.cache_clear()
    try:
        assert main(["voiceprints", "count"]) == 2  # a new key was made: not the sidecar's
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "another pseudonym key" in err
    assert (tmp_path / "keys" / "voiceprints.key").exists()
