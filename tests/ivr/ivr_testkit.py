"""Helpers for the ivr tests: tone WAVs, spectra, and subprocess peers that always die."""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import shutil
import signal
import subprocess
import sys
import wave
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
from free_ports import free_port

from huifang.demo.softphone_process import EventLines
from ivr.config import SipConfig
from ivr.phone import Phone

HERE = Path(__file__).resolve().parent
# The one scripted SIP peer (the demo softphone); a test peer offers PCMU unless told.
PEER = ("-m", "huifang.demo.softphone", "--user", "peer", "--rtp-port", "20000")
SIPP_DIR = HERE / "sipp"
Samples = npt.NDArray[np.float64]
T = TypeVar("T")
PROMPT_HZ = 600.0  # our prompts are this tone; customers use 1000, 1500 or 5000 Hz
MEDIA_TIMEOUT_S = 2.0


@dataclass
class PhoneRig:
    """The endpoint under test and the loop that drives it between tests."""

    phone: Phone
    loop: asyncio.AbstractEventLoop
    recordings: Path

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 20.0) -> T:
        """Run a scenario on the phone's loop; every scenario has a deadline."""
        return self.loop.run_until_complete(asyncio.wait_for(coro, timeout))


@contextlib.contextmanager
def running_phone(config: SipConfig) -> Iterator[PhoneRig]:
    """A started Phone on a loop of its own, stopped at the end (one Endpoint per process)."""
    assert config.recordings_dir is not None
    loop = asyncio.new_event_loop()
    phone = Phone(config)
    loop.run_until_complete(asyncio.wait_for(phone.start(), 15))
    try:
        yield PhoneRig(phone, loop, config.recordings_dir)
    finally:
        loop.run_until_complete(asyncio.wait_for(phone.stop(), 20))
        loop.close()


def write_tone(path: Path, freq: float, seconds: float, rate: int = 16000,
               level: float = 0.3) -> Path:
    """A mono PCM16 sine WAV."""
    t = np.arange(int(rate * seconds)) / rate
    pcm = (level * 32767 * np.sin(2 * np.pi * freq * t)).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return path


def read_wav(path: Path) -> tuple[npt.NDArray[np.float64], int]:
    """Samples shaped (frames, channels) as float, and the rate."""
    with wave.open(str(path), "rb") as w:
        rate, channels = w.getframerate(), w.getnchannels()
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    return pcm.reshape(-1, channels).astype(np.float64), rate


def dominant_hz(x: Samples, rate: int) -> float:
    """The strongest frequency of a signal (Hann-windowed spectrum)."""
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    spectrum[:5] = 0  # ignore DC
    return float(np.argmax(spectrum) * rate / len(x))


def rms(x: Samples) -> float:
    """Root mean square level in PCM16 units."""
    return float(np.sqrt(np.mean(np.square(x)))) if len(x) else 0.0


def loudest_window(x: Samples, rate: int, seconds: float = 0.5) -> Samples:
    """The `seconds`-long window with the most energy (skips ring and gaps)."""
    n = int(rate * seconds)
    if len(x) <= n:
        return x
    energy = np.convolve(np.square(x), np.ones(n), mode="valid")
    start = int(np.argmax(energy))
    return x[start:start + n]


class PeerProcess:
    """The scripted peer (huifang.demo.softphone) in a subprocess; its JSON lines on a queue."""

    def __init__(self, *args: str) -> None:
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.seen: list[dict[str, Any]] = []
        codec = () if "--codec" in args else ("--codec", "PCMU")
        self.lines = EventLines([sys.executable, *PEER, *codec, *args])
        self.proc = self.lines.proc
        self.passed: list[dict[str, Any]] = []  # events passed over while waiting for another
        try:
            self.port = int(self.wait_for("ready", 10)["port"])
        except AssertionError:
            self.kill()
            raise

    def wait_for(self, event: str, timeout: float) -> dict[str, Any]:
        """The next event named `event` (one passed over earlier first); AssertionError with
        the peer's output on timeout."""
        for seen in self.passed:
            if seen["event"] == event:
                self.passed.remove(seen)
                return seen
        item = self.lines.next_event(event, timeout, skipped=self.passed)
        if item is None:
            raise AssertionError(f"peer: no {event!r} in {timeout} s:\n{self.lines.tail()}")
        return item

    def uri(self, user: str = "customer", transport: str = "") -> str:
        """Where the peer listens."""
        suffix = f";transport={transport}" if transport else ""
        return f"sip:{user}@127.0.0.1:{self.port}{suffix}"

    def wait_exit(self, timeout: float) -> int:
        """The exit status; kills it when it does not exit in time."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise

    def kill(self) -> None:
        """SIGKILL the peer's process group (no-op once it has exited)."""
        self.lines.kill()


def sipp_binary() -> str:
    """The sipp executable; fails loudly when Debian's sip-tester is not installed."""
    path = shutil.which("sipp")
    if path is None:
        raise AssertionError("sipp not found: install Debian's sip-tester (bin/setup does)")
    return path


class SippProcess:
    """One SIPp run of a scenario under tests/ivr/sipp/, killed if it outlives the test."""

    def __init__(self, scenario: str, *args: str, workdir: Path,
                 replace: dict[str, str] | None = None, timeout_s: float = 15.0,
                 local_ip: str = "127.0.0.1", calls: int = 1, quiet_aborts: bool = False) -> None:
        self.port = free_port()
        text = (SIPP_DIR / scenario).read_text()
        for placeholder, value in (replace or {}).items():
            text = text.replace(placeholder, value)  # SIPp's -key cannot reach a status line
        script = workdir / scenario
        script.write_text(text)
        # quiet_aborts: a hostile caller must not end a call with a BYE or CANCEL of SIPp's
        # own when the scenario meets what it did not expect (our resent 200, our BYE).
        quiet = ["-default_behaviors", "none"] if quiet_aborts else []
        cmd = [sipp_binary(), "-sf", str(script), "-i", local_ip, "-p", str(self.port),
               "-mp", str(free_port()), "-m", str(calls), "-nostdin", "-timeout",
               f"{timeout_s}s", "-timeout_error", "-trace_err", *quiet, *args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, start_new_session=True, cwd=workdir)

    def uri(self, user: str = "customer") -> str:
        """Where a SIPp UAS listens."""
        return f"sip:{user}@127.0.0.1:{self.port}"

    def wait(self, timeout: float) -> tuple[int, str]:
        """Exit status and output; killed on timeout."""
        try:
            out, _ = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            out, _ = self.proc.communicate()
            raise AssertionError(f"sipp did not finish in {timeout} s:\n{out}") from None
        return self.proc.returncode, out

    def kill(self) -> None:
        """SIGKILL SIPp (no-op once it has exited)."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
