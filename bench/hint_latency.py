"""Hint latency of a live call: from the end of a customer's utterance to its hint on the agent
screen's websocket, and with --browser to the hint appearing on the agent screen in Chromium.

A real bridged call, as `huifang demo` places it: huifang's SIP endpoint rings a scripted
agent softphone, dials a scripted customer phone (two pjsua2 processes on 127.0.0.1, G.722),
bridges them and runs Whisper on both legs. The customer speaks the recorded misleading-sale
lines of huifang/demo/data/bench_lines.tsv, the agent acknowledges each. The customer phone
reports when each line's audio ended (CLOCK_MONOTONIC, shared by all processes); a websocket
client signed in as the agent timestamps every message on arrival. Each utterance's first hint
is matched to it by text; an utterance without one counts as missed.

With --browser the agent signs in on the real pages in Debian's Chromium (headless, driven by
Playwright), starts the callback from the agent screen's form and watches it there; a
MutationObserver added before the page's own scripts stamps every line added to the hints list
with the page's clock (performance.timeOrigin + performance.now()), and again after the next
animation frame. The page's clock is aligned with CLOCK_MONOTONIC by reading it from this
process between two time.monotonic() readings (the best of 20 round trips; the error is at
most half that round trip), before and after the call. The websocket client watches too, so
both figures come from the same calls.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/hint_latency.py [--rounds 1] [--browser]
        [--no-gc] [--beam-size N] [--partial-interval S] [--short-window S]

With --browser, more than two rounds in one process have aborted in pjlib ("Calling pjlib from
unknown/external thread") at the third call's start: --no-gc avoids it (the collector is then
not part of what is measured).

A hint raised on a partial can arrive before the utterance ends: its latency is negative.
"""

from __future__ import annotations

import argparse
import csv
import gc
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
from playwright.sync_api import Browser, Page
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from huifang.calls.bus import InProcessEventBus
from huifang.calls.desk import LiveDesk, live_asr_config
from huifang.demo.conversation import DATA_DIR, DEMO_POLICY_NO
from huifang.demo.run import demo_settings, demo_sip
from huifang.demo.setup import DemoLogin, fresh_database, seed
from huifang.demo.softphone_process import SoftphoneProcess
from huifang.settings import Settings
from huifang.web.app import create_app
from huifang.web.deps import SESSION_COOKIE, web_settings
from storage.models import UserRole

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "web"))  # Debian's Chromium, as the browser tests run it

from browser_testkit import chromium  # noqa: E402

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
Arrival = tuple[float, str]  # CLOCK_MONOTONIC seconds, the customer's words it is about

# Added before the page's scripts: each line added to the hints list, stamped with the page's
# clock (ms) when it is in the DOM and again after the next animation frame (its paint).
HINT_STAMPS = """
(() => {
  const seen = [];
  Object.defineProperty(window, "__benchHints", { value: seen });
  const now = () => performance.timeOrigin + performance.now();
  new MutationObserver((records) => {
    const at = now();
    for (const record of records) {
      if (record.target.id !== "hints") continue;
      for (const node of record.addedNodes) {
        if (node.nodeType !== Node.ELEMENT_NODE) continue;
        // A hint card: its evidence line says whose words, and which.
        const evidence = node.querySelector(".evidence");
        const entry = { at, painted: null, className: evidence ? evidence.className : "",
                        text: evidence ? evidence.textContent : "" };
        seen.push(entry);
        requestAnimationFrame(() => setTimeout(() => { entry.painted = now(); }, 0));
      }
    }
  }).observe(document, { childList: true, subtree: true });
})();
"""
PAGE_NOW = "performance.timeOrigin + performance.now()"


@dataclass
class PageClock:
    """The page's clock against CLOCK_MONOTONIC: page seconds minus monotonic seconds."""

    offset_s: float
    error_s: float  # half the round trip of the reading: the offset is right within this
    wall_offset_s: float  # time.time() - time.monotonic() at the reading, for comparison


@dataclass
class CallRecord:
    """What one call gave: the customer's lines, the websocket's messages, the page's hints."""

    said: list[Said]
    messages: Messages
    dom: list[Arrival]
    painted: list[Arrival]
    clocks: list[PageClock]  # read before and after the call
    subscribed: float | None = None  # when the page showed it was live (CLOCK_MONOTONIC)

    @property
    def screen_late(self) -> bool:
        """The page went live only after the first line had ended (its hint then comes late)."""
        return bool(self.said) and self.subscribed is not None \
            and self.said[0].end < self.subscribed


def read_page_clock(page: Page, probes: int = 20) -> PageClock:
    """The page clock's offset from CLOCK_MONOTONIC, from the tightest of `probes` readings."""
    best: PageClock | None = None
    for _ in range(probes):
        before = time.monotonic()
        page_ms = float(page.evaluate(PAGE_NOW))
        after = time.monotonic()
        wall = time.time() - time.monotonic()
        half = (after - before) / 2
        if best is None or half < best.error_s:
            best = PageClock(page_ms / 1000 - (before + half), half, wall)
    assert best is not None
    return best


def page_hints(page: Page, clock: PageClock) -> tuple[list[Arrival], list[Arrival]]:
    """The customer-evidence lines the page showed, in the DOM and painted, on CLOCK_MONOTONIC."""
    dom: list[Arrival] = []
    painted: list[Arrival] = []
    for entry in page.evaluate("window.__benchHints"):
        if entry["className"] != "evidence customer":
            continue
        words = entry["text"].split("：", 1)[-1]  # "客户 0:03：<what the customer said>"
        dom.append((entry["at"] / 1000 - clock.offset_s, words))
        if entry["painted"] is not None:
            painted.append((entry["painted"] / 1000 - clock.offset_s, words))
    return dom, painted


def watch_socket(port: int, call_id: int, cookie: str, messages: Messages) -> None:
    """The agent screen's websocket until the call ends: each message with its arrival."""
    socket_ = connect(f"ws://127.0.0.1:{port}/ws/calls/{call_id}", proxy=None,
                      additional_headers={"Cookie": cookie}, legacy=True)
    try:
        while True:
            message = json.loads(socket_.recv(timeout=600))
            messages.append((time.monotonic(), message))
            event = message.get("event", {})
            if message["type"] == "CallStatus" and event.get("stage") == "ended":
                break
    except (ConnectionClosed, TimeoutError):
        pass
    finally:
        socket_.close()


def _start_on_page(page: Page, base: str, login: DemoLogin, agent_uri: str,
                   customer_uri: str) -> int:
    """Sign in and start the callback from the agent screen's form; the call's id."""
    page.goto(f"{base}/app/")
    page.fill("input[name=username]", login.username)
    page.fill("input[name=password]", login.password)
    page.click("#sign-in button[type=submit]")
    page.wait_for_selector("#who:has-text('" + login.username + "')")
    page.goto(f"{base}/app/agent.html")
    page.fill("input[name=policy_no]", DEMO_POLICY_NO)
    page.fill("input[name=agent_uri]", agent_uri)
    page.fill("input[name=customer_uri]", customer_uri)
    page.click("#start-callback button[type=submit]")
    page.wait_for_url("**/agent.html?call=*")
    page.wait_for_function("document.getElementById('status').textContent === '实时'",
                           polling=50, timeout=60_000)
    return int(page.url.rsplit("=", 1)[1])


def one_call(settings: Settings, var_dir: Path, browser: Browser | None) -> CallRecord:
    """Run one bridged call, watched on the websocket (and on the agent screen in `browser`)."""
    db = fresh_database(var_dir / "demo.db")
    try:
        logins = seed(db)
    finally:
        db.close()
    agent_login = next(login for login in logins if login.role is UserRole.AGENT)
    bus = InProcessEventBus()
    desk = LiveDesk(settings, bus, sip=demo_sip(settings))
    app = create_app(bus, desk)
    app.dependency_overrides[web_settings] = lambda: settings
    port = _free_port()
    server, thread = _serve(app, port)
    base = f"http://127.0.0.1:{port}"
    lines = _lines()
    customer_turns = [f"after:1.0:{lines[0][0]}"] + [f"reply:{wav}" for wav, _ in lines[1:]]
    record = CallRecord([], [], [], [], [])
    try:
        with SoftphoneProcess("agent", [f"reply:{ACK}"] * len(lines)) as agent, \
                SoftphoneProcess("customer", customer_turns, hangup_after_s=3.0) as customer:
            if browser is None:
                call_id, cookie = _start_on_api(base, agent_login, agent.uri, customer.uri)
                watch_socket(port, call_id, cookie, record.messages)
            else:
                _watch_on_page(browser, base, port, agent_login, (agent.uri, customer.uri),
                               record)
            texts = dict((str(wav), text) for wav, text in lines)
            record.said = [Said(texts[e["wav"]], e["end"]) for e in customer.said()]
    finally:
        server.should_exit = True
        thread.join(60)
    return record


def _start_on_api(base: str, login: DemoLogin, agent_uri: str,
                  customer_uri: str) -> tuple[int, str]:
    """Sign in and start the callback over the API; the call's id and the session cookie."""
    client = httpx.Client(base_url=base, timeout=30)
    me = client.post("/api/login", json={"username": login.username,
                                         "password": login.password}).json()
    started = client.post("/api/live/callbacks", headers={"X-CSRF-Token": me["csrf_token"]},
                          json={"policy_no": DEMO_POLICY_NO, "agent_uri": agent_uri,
                                "customer_uri": customer_uri})
    return int(started.json()["call_id"]), f"{SESSION_COOKIE}={client.cookies[SESSION_COOKIE]}"


def _watch_on_page(browser: Browser, base: str, port: int, login: DemoLogin,
                   uris: tuple[str, str], record: CallRecord) -> None:
    """Start and watch the call on the agent screen, the websocket client beside it."""
    context = browser.new_context()
    try:
        context.add_init_script(HINT_STAMPS)
        page = context.new_page()
        call_id = _start_on_page(page, base, login, *uris)
        record.subscribed = time.monotonic()
        cookie = next(f"{c['name']}={c['value']}" for c in context.cookies()
                      if c["name"] == SESSION_COOKIE)
        watcher = threading.Thread(target=watch_socket, name="socket-watcher",
                                   args=(port, call_id, cookie, record.messages), daemon=True)
        watcher.start()
        record.clocks.append(read_page_clock(page))
        watcher.join(600)
        page.wait_for_function("document.getElementById('stage').dataset.stage === 'ended'",
                               polling=200, timeout=60_000)
        page.wait_for_timeout(500)  # the last frame's stamps
        record.clocks.append(read_page_clock(page))
        record.dom, record.painted = page_hints(page, record.clocks[0])
    finally:
        context.close()


def socket_arrivals(messages: Messages) -> tuple[list[Arrival], list[Arrival]]:
    """The customer-leg hints and final transcripts the websocket brought, with their words."""
    hints: list[Arrival] = []
    finals: list[Arrival] = []
    for arrived, message in messages:
        event = message.get("event", {})
        flag = event.get("flag", {})
        if message["type"] == "Hint" and flag["leg"] == "customer" and flag["text"]:
            hints.append((arrived, flag["text"]))
        elif message["type"] == "Transcript" and event["leg"] == "customer" \
                and event["kind"] == "final":
            finals.append((arrived, event["text"]))
    return hints, finals


def first_arrivals(said: list[Said], arrivals: list[Arrival]) -> dict[int, float]:
    """Each line's latency (ms) to the first arrival about it, matched by text."""
    latency: dict[int, float] = {}
    for arrived, text in arrivals:
        candidates = [i for i, s in enumerate(said) if s.end <= arrived]
        if not candidates:
            continue
        best = max(candidates, key=lambda i: _similarity(text, said[i].text))
        latency.setdefault(best, (arrived - said[best].end) * 1000)
    return latency


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _settings(args: argparse.Namespace) -> Settings:
    settings = demo_settings(Settings(), args.var_dir.resolve())
    if args.beam_size is not None:
        settings = settings.model_copy(update={"whisper_beam_size": args.beam_size})
    if args.short_window is not None:
        settings = settings.model_copy(update={"live_whisper_short_window_s": args.short_window,
                                               "whisper_short_window_s": args.short_window})
    if args.partial_interval is not None:
        settings = settings.model_copy(update={"asr_partial_interval_s": args.partial_interval})
    return settings


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=1, help="calls, 12 utterances each")
    parser.add_argument("--browser", action="store_true",
                        help="watch on the agent screen in Debian's Chromium too")
    parser.add_argument("--beam-size", type=int, default=None, help="Whisper beam (settings)")
    parser.add_argument("--partial-interval", type=float, default=None, metavar="S",
                        help="Whisper partials every S s of speech (default: settings)")
    parser.add_argument("--short-window", type=float, default=None, metavar="S",
                        help="Whisper encoder window for short utterances, 0: 30 s (default: "
                             "HUIFANG_LIVE_WHISPER_SHORT_WINDOW_S)")
    parser.add_argument("--show-transcripts", action="store_true",
                        help="print the customer leg's final transcripts (last call)")
    parser.add_argument("--no-gc", action="store_true",
                        help="turn Python's cyclic garbage collector off for the run (more than "
                             "2 rounds with --browser abort in pjlib otherwise)")
    parser.add_argument("--var-dir", type=Path, default=Path("var/bench-hint-latency"))
    return parser.parse_args()


def _run(args: argparse.Namespace, settings: Settings) -> list[CallRecord]:
    if not args.browser:
        return [one_call(settings, args.var_dir, None) for _ in range(args.rounds)]
    with chromium() as browser:
        return [one_call(settings, args.var_dir, browser) for _ in range(args.rounds)]


def _report_clocks(records: list[CallRecord]) -> None:
    """How well the page's clock was aligned, and how far it drifted over each call."""
    for n, record in enumerate(records, 1):
        if len(record.clocks) < 2:
            continue
        first, last = record.clocks[0], record.clocks[-1]
        wall_gap = (first.offset_s - first.wall_offset_s) * 1000
        print(f"page clock, call {n}: aligned within ±{first.error_s * 1000:.1f} ms "
              f"(then ±{last.error_s * 1000:.1f} ms), drift over the call "
              f"{(last.offset_s - first.offset_s) * 1000:+.1f} ms, page clock − time.time() "
              f"{wall_gap:+.1f} ms; page live "
              f"{'AFTER' if record.screen_late else 'before'} the first line ended")


def main() -> int:
    """Run the calls and print p50/p95 of the hint latency."""
    args = _arguments()
    if args.no_gc:
        # A round's pjsua2 objects left in reference cycles, collected later on a thread
        # pjlib does not know while the next round's endpoint runs, abort the process.
        gc.disable()
    settings = _settings(args)
    records = _run(args, settings)
    load = os.getloadavg()
    print(f"# {platform.node()} {os.cpu_count()} cores, load {load[0]:.1f}/{load[1]:.1f}, "
          f"whisper {settings.whisper_model} beam {settings.whisper_beam_size}, "
          f"hangover {settings.vad_hangover_ms} ms, speculate {settings.asr_speculate_ms} ms, "
          f"partials every {settings.asr_partial_interval_s:g} s, "
          f"short window {live_asr_config(settings).whisper_short_window_s:g} s"
          + (", browser: Chromium headless" if args.browser else ""))
    series: dict[str, list[float]] = {"final transcript": [], "hint (websocket)": []}
    if args.browser:
        series |= {"hint (browser, in DOM)": [], "hint (browser, next frame)": []}
    missed: list[str] = []
    for record in records:
        hints, finals = socket_arrivals(record.messages)
        sources = [finals, hints] + ([record.dom, record.painted] if args.browser else [])
        for values, arrivals in zip(series.values(), sources, strict=True):
            values += first_arrivals(record.said, arrivals).values()
        watched = first_arrivals(record.said, record.dom if args.browser else hints)
        missed += [s.text for i, s in enumerate(record.said) if i not in watched]
    utterances = sum(len(record.said) for record in records)
    print(f"utterances={utterances} hinted={utterances - len(missed)} missed={len(missed)}")
    for text in missed:
        print(f"  no hint for: {text}")
    if args.show_transcripts:
        heard = [m["event"]["text"] for _, m in records[-1].messages if m["type"] == "Transcript"
                 and m["event"]["leg"] == "customer" and m["event"]["kind"] == "final"]
        print("  heard:", " | ".join(heard))
    _report_clocks(records)
    for name, values in series.items():
        if values:
            print(f"{name}: p50={statistics.median(values):.0f} ms p95={_pct(values, 0.95):.0f} ms "
                  f"max={max(values):.0f} ms n={len(values)}")
    return 0 if utterances > len(missed) else 1


if __name__ == "__main__":
    sys.exit(main())
