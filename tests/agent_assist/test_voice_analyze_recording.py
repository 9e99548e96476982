"""`huifang analyze RECORDING --policy-json FILE`: voice cues of a stereo call as JSON lines."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from voice_testkit import clip

from agent_assist.voiceprint import VoiceprintEncoder
from agent_assist.voiceprint_index import VoiceprintEntry, VoiceprintIndex
from asr.wavfile import write_wav
from huifang.commands import analyze
from huifang.settings import get_settings

BIRTH = date(1958, 3, 2)


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="huifang")
    analyze.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    status: int = args.run(args)
    return status


@pytest.fixture(autouse=True)
def fresh_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Settings re-read per test, voiceprints kept under tmp_path."""
    monkeypatch.setenv("HUIFANG_VOICEPRINTS_DIR", str(tmp_path / "voiceprints"))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _call(tmp_path: Path, customer: str) -> Path:
    """A stereo recording: agent on channel 0, the given clip as the customer on channel 1."""
    voice = clip(customer).samples
    agent = np.zeros_like(voice)
    path = tmp_path / "call.wav"
    write_wav(path, np.stack([agent, voice], axis=1), 16000)
    return path


def _policy(tmp_path: Path, **fields: str) -> Path:
    path = tmp_path / "policy.json"
    record = {"policy_no": "P001", "holder_birth_date": BIRTH.isoformat(), **fields}
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return path


def _age() -> int:
    today = date.today()
    return today.year - BIRTH.year - int((today.month, today.day) < (BIRTH.month, BIRTH.day))


def test_deep_voice_for_an_elderly_woman_prints_features_and_a_gender_cue(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recording = _call(tmp_path, "srdata_speaker1_a_cn_16k")
    policy = _policy(tmp_path, holder_title="女士", salesperson_name="王五")
    assert run(["analyze", str(recording), "--policy-json", str(policy)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines[0]["leg"] == "customer"
    assert 80 < lines[0]["features"]["pitch_median_hz"] < 110
    assert [line["cue"] for line in lines[1:]] == ["gender_mismatch"]
    assert lines[1]["message"] == f"声音听起来像男性，投保人为{_age()}岁女性，请核实身份"


def test_stored_voiceprint_of_another_policyholder_adds_a_duplicate_voice_cue(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index = VoiceprintIndex.open(tmp_path / "voiceprints", store_allowed=True)
    other = VoiceprintEncoder().embed(clip("srdata_fangjun-sr-1").samples)
    index.add(VoiceprintEntry("H-other", "P-other", "C-9", salesperson="S1"), other)
    index.save()
    recording = _call(tmp_path, "srdata_fangjun-sr-2")
    policy = _policy(tmp_path, holder_gender="male", salesperson="S1")
    assert run(["analyze", str(recording), "--policy-json", str(policy)]) == 0
    cues = [json.loads(line) for line in capsys.readouterr().out.splitlines()][1:]
    assert [cue["cue"] for cue in cues] == ["duplicate_voice"]
    assert cues[0]["message"] == (
        "此声音已为其他1位投保人的保单应答（其中1位属同一业务员），请核实身份"
    )


def test_missing_or_bad_policy_and_silent_customer_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recording = _call(tmp_path, "srdata_fangjun-sr-2")
    assert run(["analyze", str(recording)]) == 2
    assert "--policy-json" in capsys.readouterr().err
    no_gender = _policy(tmp_path)
    assert run(["analyze", str(recording), "--policy-json", str(no_gender)]) == 2
    assert "holder_gender" in capsys.readouterr().err
    silent = tmp_path / "silent.wav"
    write_wav(silent, np.zeros((32000, 2), dtype=np.int16), 16000)
    policy = _policy(tmp_path, holder_gender="male")
    assert run(["analyze", str(silent), "--policy-json", str(policy)]) == 2
    assert "customer leg" in capsys.readouterr().err
