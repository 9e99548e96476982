"""Helpers for the callback tests: a customer peer process, `huifang call` runs, answer audio."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from huifang.demo.softphone_process import EventLines
from huifang.prompt_audio.cache import PromptCache
from huifang.prompt_audio.tts import EspeakTts

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
# The one scripted SIP peer (the demo softphone), as the customer.
PEER = ("-m", "huifang.demo.softphone", "--rtp-port", "30000")
# Prompts are cached by text hash, so every run after the first finds them rendered.
PROMPT_CACHE = ROOT / "var" / "test-cache" / "prompts"
FAST_PROMPT_WPM = 450  # tests need the script, not its pace
ANSWER_WPM = 120  # slow espeak-ng speech is what Whisper base recognises best


def policy_file(directory: Path, **changes: Any) -> Path:
    """A 传统 policy record as JSON (regular premium: all seven items apply)."""
    record: dict[str, Any] = {
        "policy_no": "P2024000777", "family": "传统", "product_name": "康宁终身寿险",
        "holder_name": "王秀英", "holder_title": "女士",
        "holder_birth_date": date(1965, 3, 8).isoformat(), "holder_id_last4": "4021",
        "insured_name": "王秀英", "premium_yuan": 5000, "payment_years": 10,
        "payment_frequency": "年交", "company": "康宁人寿",
    }
    record.update(changes)
    path = directory / "policy.json"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    return path


def spoken_answer(text: str, directory: Path) -> Path:
    """The customer's answer as a 16 kHz WAV spoken by espeak-ng's Mandarin voice."""
    cache = PromptCache(EspeakTts(words_per_minute=ANSWER_WPM), directory)
    return cache.wav_for(text).path


def call_env(recordings: Path, **extra: str) -> dict[str, str]:
    """Environment of a `huifang call` run: loopback, any free port, fast prompts."""
    env = dict(os.environ)
    env.update({
        "HF_HUB_OFFLINE": "1",
        "HUIFANG_SIP_PORT": "0",
        "HUIFANG_SIP_BIND_ADDRESS": "127.0.0.1",
        "HUIFANG_SIP_TRANSPORT": "udp",
        "HUIFANG_SIP_RING_TIMEOUT_S": "10",
        "HUIFANG_RECORDINGS_DIR": str(recordings),
        "HUIFANG_PROMPT_CACHE": str(PROMPT_CACHE),
        "HUIFANG_TTS_ENGINE": "espeak",  # fast prompts: espeak-ng sped up
        "HUIFANG_TTS_SPEED_WPM": str(FAST_PROMPT_WPM),
        "HUIFANG_CALLBACK_ANSWER_TIMEOUT_S": "6",
    })
    env.update(extra)
    return env


@dataclass(frozen=True)
class CallRun:
    """A finished `huifang call`: exit status, the outcome JSON, the error lines."""

    status: int
    outcome: dict[str, Any] | None
    stderr: str

    def events(self, type_name: str) -> list[dict[str, Any]]:
        """The outcome's events of one type, e.g. "callback.PromptPlayed"."""
        assert self.outcome is not None, self.stderr
        return [e for e in self.outcome["events"] if e["type"] == type_name]


def run_call(args: list[str], env: dict[str, str], timeout: float) -> CallRun:
    """Run `huifang call ARGS --events` to its end; killed (and failed) after `timeout`."""
    proc = subprocess.Popen([sys.executable, "-m", "huifang", "call", *args, "--events"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=ROOT, env=env, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        raise AssertionError(f"huifang call ran over {timeout} s:\n{err[-3000:]}") from None
    lines = [line for line in out.splitlines() if line.startswith("{")]
    outcome = json.loads(lines[-1]) if lines else None
    return CallRun(proc.returncode, outcome, err)


class CustomerPeer:
    """The scripted peer (huifang.demo.softphone) as the customer; its JSON lines on a queue."""

    def __init__(self, *turns: str, codec: str = "PCMU", lifetime: float = 90.0,
                 dial: str | None = None, user: str = "customer") -> None:
        args = [a for t in turns for a in ("--turn", t)] + ["--user", user]
        args += ["--dial", dial] if dial else []
        self.lines = EventLines([sys.executable, *PEER, "--codec", codec, "--lifetime",
                                 str(lifetime), *args])
        self.proc, self.seen, self.user = self.lines.proc, self.lines.seen, user
        try:
            self.port = int(self.wait_for("ready", 10)["port"])
        except AssertionError:
            self.kill()
            raise

    def wait_for(self, name: str, timeout: float) -> dict[str, Any]:
        """The next event called `name`; AssertionError with the peer's output on timeout."""
        event = self.lines.next_event(name, timeout)
        if event is None:
            raise AssertionError(f"peer: no {name!r} in {timeout} s:\n{self.lines.tail()}")
        return event

    def wait_for_state(self, state: str, timeout: float) -> None:
        """Until the peer's call reaches `state` (pjsua's name, e.g. CONFIRMED)."""
        deadline = time.monotonic() + timeout
        while self.wait_for("state", max(0.1, deadline - time.monotonic()))["state"] != state:
            pass

    @property
    def uri(self) -> str:
        """Where the peer answers."""
        return f"sip:{self.user}@127.0.0.1:{self.port}"

    def kill(self) -> None:
        """SIGKILL the peer's process group (no-op once it has exited)."""
        self.lines.kill()
