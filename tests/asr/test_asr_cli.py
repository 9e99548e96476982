"""`huifang transcribe` and `huifang eval-asr` as a user runs them: real processes, real models."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from asr_testkit import FIXTURES, ROOT, espeak, korean_vosk_model_dir

from asr.wavfile import write_wav

CLEAN = FIXTURES / "speech"


def huifang(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the command line in a child process, from the repository root (where .env lies)."""
    return subprocess.run([sys.executable, "-m", "huifang", *args], capture_output=True,
                          text=True, cwd=ROOT, env={**os.environ, **(env or {})}, timeout=300)


def test_transcribe_prints_the_text_of_each_file() -> None:
    done = huifang("transcribe", str(CLEAN / "funasr_asr_example.wav"),
                   str(FIXTURES / "tel" / "s3tokenizer_BAC009S0764W0121.wav"))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(str(CLEAN / "funasr_asr_example.wav") + "\t")
    assert "语音识别" in lines[0]


def test_transcribe_json_shape() -> None:
    done = huifang("transcribe", "--json", str(CLEAN / "funasr_asr_example.wav"))
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stdout)
    assert set(record) == {"file", "text", "segments", "undecodable", "pass", "duration_s",
                           "processing_s"}
    assert record["pass"] == "live" and record["undecodable"] == []  # HUIFANG_AFTER_CALL_PASS
    assert record["file"] == str(CLEAN / "funasr_asr_example.wav")
    assert record["text"] == "".join(s["text"] for s in record["segments"])
    assert record["duration_s"] == pytest.approx(5.547, abs=0.01)
    assert record["processing_s"] > 0
    for segment in record["segments"]:
        assert set(segment) == {"start", "end", "text"}
        assert 0 <= segment["start"] < segment["end"] <= record["duration_s"]


def test_bad_files_are_reported_and_the_others_still_processed(tmp_path: Path) -> None:
    text_file = tmp_path / "notes.wav"
    text_file.write_text("not audio", encoding="utf-8")
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    good = str(CLEAN / "wenet_BAC009S0724W0121.wav")
    done = huifang("transcribe", "--json", str(tmp_path / "missing.wav"), str(text_file),
                   good, str(empty))
    assert done.returncode == 2
    errors = done.stderr.strip().splitlines()
    assert errors == [
        f"huifang: error: {tmp_path / 'missing.wav'}: no such file",
        f"huifang: error: {text_file}: not a WAV file (no RIFF/WAVE header)",
        f"huifang: error: {empty}: empty file (0 bytes)",
    ]
    outputs = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o["file"] for o in outputs] == [good]


def test_overlong_recording_is_refused(tmp_path: Path) -> None:
    import numpy as np

    long_file = tmp_path / "long.wav"
    write_wav(long_file, np.zeros(8000 * 20, dtype=np.int16), 8000)
    done = huifang("transcribe", str(long_file), env={"HUIFANG_MAX_AUDIO_S": "10"})
    assert done.returncode == 2
    assert "too long: 0h00m20s of audio, the limit is 0h00m10s" in done.stderr


def test_engine_can_be_chosen_on_the_command_line(tmp_path: Path) -> None:
    speech = espeak("안녕하세요 보험 회사입니다", "ko", tmp_path / "ko_raw.wav")
    write_wav(tmp_path / "ko.wav", speech, 16000)
    done = huifang("transcribe", "--engine", "vosk", "--json", str(tmp_path / "ko.wav"),
                   env={"HUIFANG_VOSK_MODEL": str(korean_vosk_model_dir())})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["text"]


def test_vosk_model_by_name_is_found_locally_before_any_download(tmp_path: Path) -> None:
    models = tmp_path / "vosk-models"
    models.mkdir()
    (models / "vosk-model-small-ko-test").symlink_to(korean_vosk_model_dir())
    speech = espeak("안녕하세요", "ko", tmp_path / "ko_raw.wav")
    write_wav(tmp_path / "ko.wav", speech, 16000)
    done = huifang("transcribe", "--engine", "vosk", str(tmp_path / "ko.wav"),
                   env={"HUIFANG_VOSK_MODEL": "vosk-model-small-ko-test",
                        "VOSK_MODEL_PATH": str(models)})
    assert done.returncode == 0, done.stderr


def test_unloadable_model_is_one_line_and_status_2(tmp_path: Path) -> None:
    done = huifang("transcribe", str(CLEAN / "funasr_asr_example.wav"),
                   env={"HUIFANG_WHISPER_MODEL": str(tmp_path / "nothing")})
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "HUIFANG_WHISPER_MODEL" in done.stderr


def test_eval_asr_prints_per_file_and_overall_figures(tmp_path: Path) -> None:
    manifest = tmp_path / "m.tsv"
    manifest.write_text(
        "file\treference\tspeaker\n"
        f"{CLEAN / 'funasr_asr_example.wav'}\t欢迎大家来体验达摩院推出的语音识别模型\tx\n"
        f"{CLEAN / 'wenet_BAC009S0724W0121.wav'}\t广州市房地产中介协会分析\ty\n",
        encoding="utf-8",
    )
    done = huifang("eval-asr", str(manifest))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 3
    assert all("\tCER=" in line and "\tRTF=" in line for line in lines[:2])
    last = re.fullmatch(r"CER=(\d+\.\d+) RTF=(\d+\.\d+) files=2", lines[-1])
    assert last, lines[-1]
    assert float(last.group(1)) < 0.2
    assert float(last.group(2)) > 0  # a speed, printed; bounded in bench/, not in a test


def test_eval_asr_keeps_going_past_a_bad_row(tmp_path: Path) -> None:
    (tmp_path / "ok.wav").symlink_to(CLEAN / "funasr_asr_example.wav")
    manifest = tmp_path / "m.tsv"
    manifest.write_text("file\treference\nmissing.wav\t你好\nok.wav\t欢迎大家来体验达摩院推出的语音识别模型\n",
                        encoding="utf-8")
    done = huifang("eval-asr", str(manifest))
    assert done.returncode == 2
    assert f"{manifest}:2: {tmp_path / 'missing.wav'}: no such file" in done.stderr
    assert done.stdout.strip().splitlines()[-1].endswith("files=1")


def test_eval_asr_rejects_a_manifest_without_the_columns(tmp_path: Path) -> None:
    manifest = tmp_path / "m.tsv"
    manifest.write_text("path\ttext\na.wav\t你好\n", encoding="utf-8")
    done = huifang("eval-asr", str(manifest))
    assert done.returncode == 2
    assert "header lacks column(s) file, reference" in done.stderr


def test_split_legs_transcribes_each_channel_of_a_call_recording(tmp_path: Path) -> None:
    import numpy as np

    from asr.wavfile import read_audio

    agent = read_audio(CLEAN / "funasr_asr_example.wav").mono16k()
    customer = read_audio(CLEAN / "s3tokenizer_BAC009S0764W0121.wav").mono16k()
    frames = len(agent) + len(customer) + 16000
    stereo = np.zeros((frames, 2), dtype=np.int16)
    stereo[: len(agent), 0] = agent  # the agent speaks first, then the customer answers
    stereo[len(agent) + 16000 :, 1] = customer
    call = tmp_path / "call.wav"
    write_wav(call, stereo, 16000)
    done = huifang("transcribe", "--json", "--split-legs", str(call))
    assert done.returncode == 0, done.stderr
    segments = json.loads(done.stdout)["segments"]
    assert [s["leg"] for s in segments] == ["agent", "customer"]
    assert "语音识别" in segments[0]["text"] and "交易" in segments[1]["text"]
    assert segments[1]["start"] > len(agent) / 16000
    mono = huifang("transcribe", "--split-legs", str(CLEAN / "funasr_asr_example.wav"))
    assert mono.returncode == 2
    assert "1 channel(s), but 2 legs (agent, customer) were asked for" in mono.stderr


def test_a_bad_recording_contexts_setting_is_one_line_and_status_2() -> None:
    done = huifang("transcribe", str(CLEAN / "funasr_asr_example.wav"),
                   env={"HUIFANG_RECORDING_CONTEXTS": "300:300,500"})
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "HUIFANG_RECORDING_CONTEXTS" in done.stderr and "'500'" in done.stderr
