"""Hint latency of a live call: from the end of a customer's utterance to its hint on the agent
screen's websocket.

A real bridged call, as `huifang demo` places it: huifang's SIP endpoint rings a scripted
agent softphone, dials a scripted customer phone (two pjsua2 processes on 127.0.0.1, G.722),
bridges them and runs Whisper on both legs. The customer speaks the recorded misleading-sale
lines of huifang/demo/data/bench_lines.tsv, the agent acknowledges each. The customer phone
reports when each line's audio ended (CLOCK_MONOTONIC, shared by all processes); a websocket
client signed in as the agent timestamps every message on arrival. Measured on the websocket
client, not in the browser (the page adds its render, a few ms). Each utterance's first hint is
matched to it by text; an utterance without one counts as missed.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/hint_latency.py [--rounds 1] [--beam-size N]
        [--partial-interval S] [--short-window S]

A hint raised on a partial can arrive before the utterance ends: its latency is negative.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import socket
import statistics
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from huifang.demo.conversation import DATA_DIR, DEMO_POLICY_NO
from huifang.demo.run import demo_settings, demo_sip
from huifang.demo.setup import fresh_database, seed
from huifang.demo.softphone_process import SoftphoneProcess
from huifang.live.desk import LiveDesk, live_asr_config
from huifang.settings import Settings
from huifang.web.app import create_app
from huifang.web.deps import SESSION_COOKIE, web_settings
from huifang.web.event_bus import CallEventBus
from storage.models import UserRole

BENCH_LINES = DATA_DIR / "bench_lines.tsv"
ACK = DATA_DIR / "bench_ack.wav"


@dataclass
class Said:
    """One customer line: what it says and when its audio ended."""

    text: str
    end: float


def _lines() -> list[tuple[Path, str]]:
    with BENCH_LINES.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle, delimiter="\t") if r["leg"] == "customer"]
    return [(DATA_DIR / row["file"], row["text"]) for row in rows]


def _serve(app: Any, port: int) -> tuple[uvicorn.Server, threading.Thread]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise SystemExit("uvicorn did not start")
        time.sleep(0.05)
    return server, thread


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _similarity(a: str, b: str) -> float:
    sa, sb = set(a), set(b)
    return len(sa & sb) / max(1, len(sa | sb))


Messages = list[tuple[float, dict[str, Any]]]


def one_call(settings: Settings, var_dir: Path) -> tuple[list[Said], Messages]:
    """Run one bridged call; the customer's lines and every websocket message with its time."""
    db = fresh_database(var_dir / "demo.db")
    try:
        logins = seed(db)
    finally:
        db.close()
    agent_login = next(login for login in logins if login.role is UserRole.AGENT)
    bus = CallEventBus()
    desk = LiveDesk(settings, bus, sip=demo_sip(settings))
    app = create_app(bus, desk)
    app.dependency_overrides[web_settings] = lambda: settings
    port = _free_port()
    server, thread = _serve(app, port)
    base = f"http://127.0.0.1:{port}"
    lines = _lines()
    customer_turns = [f"after:1.0:{lines[0][0]}"] + [f"reply:{wav}" for wav, _ in lines[1:]]
    messages: Messages = []
    try:
        with SoftphoneProcess("agent", [f"reply:{ACK}"] * len(lines)) as agent, \
                SoftphoneProcess("customer", customer_turns, hangup_after_s=3.0) as customer:
            client = httpx.Client(base_url=base, timeout=30)
            me = client.post("/api/login", json={"username": agent_login.username,
                                                 "password": agent_login.password}).json()
            started = client.post("/api/live/callbacks", headers={"X-CSRF-Token": me["csrf_token"]},
                                  json={"policy_no": DEMO_POLICY_NO, "agent_uri": agent.uri,
                                        "customer_uri": customer.uri})
            call_id = started.json()["call_id"]
            cookie = f"{SESSION_COOKIE}={client.cookies[SESSION_COOKIE]}"
            socket_ = connect(f"ws://127.0.0.1:{port}/ws/calls/{call_id}", proxy=None,
                              additional_headers={"Cookie": cookie}, legacy=True)
            try:
                while True:
                    raw = socket_.recv(timeout=600)
                    message = json.loads(raw)
                    messages.append((time.monotonic(), message))
                    event = message.get("event", {})
                    if message["type"] == "CallStatus" and event.get("stage") == "ended":
                        break
            except (ConnectionClosed, TimeoutError):
                pass
            finally:
                socket_.close()
            texts = dict((str(wav), text) for wav, text in lines)
            said = [Said(texts[e["wav"]], e["end"]) for e in customer.said()]
    finally:
        server.should_exit = True
        thread.join(60)
    return said, messages


def latencies(said: list[Said], messages: Messages
              ) -> tuple[list[float], list[float], list[str]]:
    """Hint and final-transcript latencies (ms), and the lines no hint came for."""
    hints: dict[int, float] = {}
    finals: dict[int, float] = {}
    for arrived, message in messages:
        event = message.get("event", {})
        flag = event.get("flag", {})
        if message["type"] == "Hint" and flag["leg"] == "customer" and flag["text"]:
            target, text = hints, flag["text"]
        elif message["type"] == "Transcript" and event["leg"] == "customer" \
                and event["kind"] == "final":
            target, text = finals, event["text"]
        else:
            continue
        candidates = [i for i, s in enumerate(said) if s.end <= arrived]
        if not candidates:
            continue
        best = max(candidates, key=lambda i: _similarity(text, said[i].text))
        target.setdefault(best, (arrived - said[best].end) * 1000)
    missed = [s.text for i, s in enumerate(said) if i not in hints]
    return list(hints.values()), list(finals.values()), missed


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    """Run the calls and print p50/p95 of the hint latency."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=1, help="calls, 12 utterances each")
    parser.add_argument("--beam-size", type=int, default=None, help="Whisper beam (settings)")
    parser.add_argument("--partial-interval", type=float, default=None, metavar="S",
                        help="Whisper partials every S s of speech (default: settings)")
    parser.add_argument("--short-window", type=float, default=None, metavar="S",
                        help="Whisper encoder window for short utterances, 0: 30 s (default: "
                             "HUIFANG_LIVE_WHISPER_SHORT_WINDOW_S)")
    parser.add_argument("--show-transcripts", action="store_true",
                        help="print the customer leg's final transcripts (last call)")
    parser.add_argument("--var-dir", type=Path, default=Path("var/bench-hint-latency"))
    args = parser.parse_args()
    settings = demo_settings(Settings(), args.var_dir.resolve())
    if args.beam_size is not None:
        settings = settings.model_copy(update={"whisper_beam_size": args.beam_size})
    if args.short_window is not None:
        settings = settings.model_copy(update={"live_whisper_short_window_s": args.short_window,
                                               "whisper_short_window_s": args.short_window})
    if args.partial_interval is not None:
        settings = settings.model_copy(update={"asr_partial_interval_s": args.partial_interval})
    hint_ms: list[float] = []
    final_ms: list[float] = []
    missed: list[str] = []
    utterances = 0
    for _ in range(args.rounds):
        said, messages = one_call(settings, args.var_dir)
        hints, finals, lost = latencies(said, messages)
        heard = [m["event"]["text"] for _, m in messages if m["type"] == "Transcript"
                 and m["event"]["leg"] == "customer" and m["event"]["kind"] == "final"]
        hint_ms += hints
        final_ms += finals
        missed += lost
        utterances += len(said)
    load = os.getloadavg()
    print(f"# {platform.node()} {os.cpu_count()} cores, load {load[0]:.1f}/{load[1]:.1f}, "
          f"whisper {settings.whisper_model} beam {settings.whisper_beam_size}, "
          f"hangover {settings.vad_hangover_ms} ms, speculate {settings.asr_speculate_ms} ms, "
          f"partials every {settings.asr_partial_interval_s:g} s, "
          f"short window {live_asr_config(settings).whisper_short_window_s:g} s")
    print(f"utterances={utterances} hinted={len(hint_ms)} missed={len(missed)}")
    for text in missed:
        print(f"  no hint for: {text}")
    if args.show_transcripts:
        print("  heard:", " | ".join(heard))
    for name, values in (("final transcript", final_ms), ("hint", hint_ms)):
        if values:
            print(f"{name}: p50={statistics.median(values):.0f} ms p95={_pct(values, 0.95):.0f} ms "
                  f"max={max(values):.0f} ms n={len(values)}")
    return 0 if hint_ms else 1


if __name__ == "__main__":
    sys.exit(main())
