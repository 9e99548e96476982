"""`huifang analyze RECORDING --policy-json FILE`: voice cues of a stereo call as JSON lines."""

from __future__ import annotations

import argparse
import json
import wave
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
    argv = ["analyze", str(recording), "--policy-json", str(policy), "--no-transcribe"]
    assert run(argv) == 0
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
    assert run(["analyze", str(recording), "--policy-json", str(policy), "--no-transcribe"]) == 0
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


def test_a_recorded_misleading_promise_is_flagged_with_its_leg_and_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Whisper on both legs: the customer quoting 保本保息 at about 3 s is a flag line (found
    through pinyin when Whisper writes homophones), and the call that never covered the
    surrender loss gets the whole-call flag."""
    agent = _demo_line("agent_03.wav")
    customer = np.concatenate([np.zeros(3 * 16000, np.int16), _demo_line("customer_03.wav")])
    agent = np.concatenate([agent, np.zeros(len(customer) - len(agent), np.int16)])
    recording = tmp_path / "quoted.wav"
    write_wav(recording, np.stack([agent, customer], axis=1), 16000)
    policy = _policy(tmp_path, holder_gender="female")
    assert run(["analyze", str(recording), "--policy-json", str(policy)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert "features" in lines[0]
    flags = [line for line in lines if "rule" in line]
    customer_flags = [f for f in flags if f["leg"] == "customer"]
    assert customer_flags, lines
    assert customer_flags[0]["rule"] == "induce.guaranteed_return"
    assert 2.5 <= customer_flags[0]["start"] < customer_flags[0]["end"] <= 7.0
    start, end = customer_flags[0]["span"]
    assert "保" in customer_flags[0]["text"][start:end]
    assert "call.surrender_loss_unacknowledged" in [f["rule"] for f in flags]


def _demo_line(name: str) -> np.ndarray:
    """One of the demo's recorded lines (16 kHz mono, synthetic speech)."""
    path = Path(__file__).parents[2] / "huifang" / "demo" / "data" / name
    with wave.open(str(path), "rb") as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (16000, 1, 2)
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(np.int16)
