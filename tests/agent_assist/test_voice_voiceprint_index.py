"""The voiceprint index: storing only where allowed, deletion per policyholder, ranked search."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from voice_testkit import clips_of, holder

from agent_assist.duplicate_voice import duplicate_voice_cue, find_duplicate_voices
from agent_assist.events import CueKind, Severity
from agent_assist.voice_estimates import VoiceGender
from agent_assist.voiceprint import VOICEPRINT_DIM, Voiceprint, VoiceprintEncoder
from agent_assist.voiceprint_index import (
    MATRIX_FILE,
    SIDECAR_FILE,
    VoiceprintEntry,
    VoiceprintIndex,
    VoiceprintStorageForbiddenError,
)
from huifang.settings import Settings


@pytest.fixture(scope="module")
def encoder() -> VoiceprintEncoder:
    """resemblyzer's encoder, loaded once for this module."""
    return VoiceprintEncoder()


@pytest.fixture(scope="module")
def fangjun(encoder: VoiceprintEncoder) -> list[Voiceprint]:
    """Five voiceprints of one real speaker."""
    return [encoder.embed(clip.samples) for clip in clips_of("srdata_fangjun")]


@pytest.fixture(scope="module")
def stranger(encoder: VoiceprintEncoder) -> Voiceprint:
    """A different real speaker's voiceprint."""
    return encoder.embed(clips_of("srdata_3dspeaker_speaker1")[0].samples)


def _unit(seed: int) -> Voiceprint:
    vector = np.random.default_rng(seed).standard_normal(VOICEPRINT_DIM).astype(np.float32)
    unit: Voiceprint = vector / np.linalg.norm(vector)
    return unit


def _entry(
    holder_id: str, salesperson: str = "", team: str = "", branch: str = ""
) -> VoiceprintEntry:
    return VoiceprintEntry(
        holder_id, f"P-{holder_id}", f"C-{holder_id}", "customer", salesperson, team, "", branch
    )


def test_storing_is_off_by_default_and_then_nothing_is_written(tmp_path: Path) -> None:
    assert Settings().store_voiceprints is False
    index = VoiceprintIndex.open(tmp_path / "vp", store_allowed=False)
    with pytest.raises(VoiceprintStorageForbiddenError, match="HUIFANG_STORE_VOICEPRINTS"):
        index.add(_entry("H1"), _unit(1))
    index.save()
    assert len(index) == 0
    assert not (tmp_path / "vp").exists()


def test_setting_turns_storing_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUIFANG_STORE_VOICEPRINTS", "true")
    assert Settings().store_voiceprints is True


def test_saved_index_reopens_with_the_same_search(tmp_path: Path) -> None:
    index = VoiceprintIndex.open(tmp_path, store_allowed=True)
    for i in range(5):
        index.add(_entry(f"H{i}"), _unit(i))
    index.save()
    reopened = VoiceprintIndex.open(tmp_path, store_allowed=True)
    hits = reopened.search(_unit(3), threshold=0.99)
    assert [hit.entry.policyholder_id for hit in hits] == ["H3"]
    assert hits[0].score == pytest.approx(1.0, abs=1e-5)


def test_deleting_a_policyholder_removes_every_voiceprint_on_disk(tmp_path: Path) -> None:
    index = VoiceprintIndex.open(tmp_path, store_allowed=True)
    index.add(_entry("H1"), _unit(1))
    index.add(VoiceprintEntry("H1", "P-H1b", "C-2"), _unit(2))
    index.add(_entry("H2"), _unit(3))
    index.save()
    # Storing switched off later: a deletion request must still reach the files.
    later = VoiceprintIndex.open(tmp_path, store_allowed=False)
    assert later.remove_policyholder("H1") == 2
    later.save()
    reopened = VoiceprintIndex.open(tmp_path, store_allowed=False)
    assert len(reopened) == 1
    assert reopened.search(_unit(1), threshold=0.5) == []
    assert np.load(tmp_path / MATRIX_FILE).shape == (1, VOICEPRINT_DIM)
    assert "H1" not in (tmp_path / SIDECAR_FILE).read_text(encoding="utf-8")


def test_same_voice_for_other_policyholders_ranks_shared_salesperson_then_team(
    fangjun: list[Voiceprint], stranger: Voiceprint
) -> None:
    index = VoiceprintIndex(None, store_allowed=True)
    index.add(_entry("H-branch", salesperson="S9", team="T9", branch="B1"), fangjun[1])
    index.add(_entry("H-team", salesperson="S8", team="T1"), fangjun[2])
    index.add(_entry("H-seller", salesperson="S1", team="T2"), fangjun[3])
    index.add(_entry("H-self", salesperson="S1"), fangjun[4])
    index.add(_entry("H-stranger", salesperson="S1", team="T1"), stranger)
    record = holder(VoiceGender.MALE, 50, "H-self", salesperson="S1", team="T1", branch="B1")
    matches = find_duplicate_voices(index, fangjun[0], record, threshold=0.7)
    assert [m.entry.policyholder_id for m in matches] == ["H-seller", "H-team", "H-branch"]
    assert matches[0].shared == ("salesperson",)
    cue = duplicate_voice_cue(matches)
    assert cue is not None
    assert cue.kind == CueKind.DUPLICATE_VOICE and cue.severity == Severity.HIGH
    assert cue.message == "此声音已为其他3位投保人的保单应答（其中1位属同一业务员），请核实身份"
    assert len(cue.reasons) == 3


def test_no_cue_when_only_the_policyholder_themself_matches(fangjun: list[Voiceprint]) -> None:
    index = VoiceprintIndex(None, store_allowed=True)
    index.add(_entry("H-self"), fangjun[1])
    record = holder(VoiceGender.MALE, 50, "H-self")
    assert find_duplicate_voices(index, fangjun[0], record) == []
    assert duplicate_voice_cue([]) is None
