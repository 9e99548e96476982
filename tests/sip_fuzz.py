"""Sends the malformed-SIP corpus (tests/ivr/fuzz/sip_corpus.jsonl) to an endpoint, bounded."""

from __future__ import annotations

import json
import socket
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "ivr" / "fuzz" / "sip_corpus.jsonl"


@dataclass
class FuzzReport:
    """What was sent and what came back."""

    sent: int = 0
    answers: Counter[str] = field(default_factory=Counter)  # status line start -> count
    seconds: float = 0.0


def load_corpus() -> list[dict[str, str]]:
    """The committed corpus, one message per line."""
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]


def send_corpus(host: str, port: int, budget_s: float = 30.0) -> FuzzReport:
    """Every message once (UDP from one socket, TCP one connection each); stops at budget_s."""
    report = FuzzReport()
    started = time.monotonic()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.bind((host, 0))
        udp.setblocking(False)
        source = udp.getsockname()[1]
        for item in load_corpus():
            if time.monotonic() - started > budget_s:
                break
            data = _fill(item["data"], host, port, source)
            if item["transport"] == "tcp":
                _send_tcp(host, port, data, report)
            else:
                udp.sendto(data[:65507], (host, port))
            report.sent += 1
            _drain(udp, report)
            time.sleep(0.002)  # a fast prober, not a flood: the flood is another test
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            _drain(udp, report)
            time.sleep(0.05)
    report.seconds = time.monotonic() - started
    return report


def _fill(text: str, host: str, port: int, source: int) -> bytes:
    return (text.replace("@HOST@", host).replace("@PORT@", str(port))
            .replace("@SRC@", str(source)).encode("latin-1"))


def _send_tcp(host: str, port: int, data: bytes, report: FuzzReport) -> None:
    try:
        with socket.create_connection((host, port), timeout=1.0) as tcp:
            tcp.sendall(data)
            tcp.settimeout(0.2)
            _count(tcp.recv(65536), report)
    except OSError:
        pass  # refused, reset or silent: all fine answers to junk


def _drain(udp: socket.socket, report: FuzzReport) -> None:
    while True:
        try:
            _count(udp.recv(65536), report)
        except BlockingIOError:
            return


def _count(reply: bytes, report: FuzzReport) -> None:
    if reply.startswith(b"SIP/2.0 "):
        report.answers[reply[8:11].decode("latin-1")] += 1
