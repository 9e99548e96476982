"""A recording survives SIGKILL of the process that writes it, mid-call."""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import time
import wave
from collections.abc import Callable
from pathlib import Path

import pytest
from ivr_testkit import HERE, PROMPT_HZ, PeerProcess, dominant_hz, loudest_window, read_wav

from ivr.wav_stream import recover_recordings

REPO = HERE.parent.parent


@pytest.mark.slow
def test_recording_is_playable_after_sigkill_and_exact_after_recovery(
        spawn_peer: Callable[..., PeerProcess], wavs: dict[str, Path], tmp_path: Path) -> None:
    """Killed 2 s into the call: readable at once; start-up recovery restores the tail."""
    peer = spawn_peer("--codec", "PCMU", "--play", str(wavs["customer_1000"]))
    recordings = tmp_path / "recordings"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen(
        [sys.executable, str(HERE / "ivr_record_child.py"), peer.uri(), str(recordings),
         str(wavs["long_prompt"])],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
        start_new_session=True)
    try:
        line = _read_json_line(child, timeout=10)
        path = Path(json.loads(line)["path"])
        time.sleep(2.2)
        os.killpg(child.pid, signal.SIGKILL)
        child.wait(5)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait(5)

    with wave.open(str(path)) as r:  # playable as the kill left it
        frames_at_kill = r.getnframes()
        assert (r.getnchannels(), r.getframerate()) == (2, 16000)
    assert frames_at_kill >= 16000  # the header is patched every second

    assert recover_recordings(recordings) == [path]
    stereo, rate = read_wav(path)
    assert len(stereo) >= frames_at_kill
    assert 1.8 <= len(stereo) / rate <= 3.0
    agent, customer = stereo[:, 0], stereo[:, 1]
    assert dominant_hz(loudest_window(agent, rate), rate) == pytest.approx(PROMPT_HZ, abs=30)
    assert dominant_hz(loudest_window(customer, rate), rate) == pytest.approx(1000, abs=30)


def _read_json_line(child: subprocess.Popen[str], timeout: float) -> str:
    """The child's first JSON line on stdout (pjlib logs there too), within `timeout` s."""
    assert child.stdout is not None
    os.set_blocking(child.stdout.fileno(), False)
    deadline = time.monotonic() + timeout
    pending = ""
    while time.monotonic() < deadline:
        with selectors.DefaultSelector() as sel:
            sel.register(child.stdout, selectors.EVENT_READ)
            sel.select(max(0.0, deadline - time.monotonic()))
        pending += child.stdout.read() or ""
        for line in pending.splitlines(keepends=True):
            if line.startswith("{") and line.endswith("\n"):
                return line
    raise AssertionError(f"the recording child said nothing useful in {timeout} s: {pending}")
