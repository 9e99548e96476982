"""Benchmark of the campaign dialler: policies per hour, and where the limit sits.

Two measurements:

1. ledger: the database side alone. N policies enrolled in a SQLite file and run through the
   real runner with a placer that returns at once, so every round of plan → claim → finish
   is pure database work. Its attempts per hour are the ceiling the database sets.
2. live: a real campaign on loopback with `huifang campaign run` (one process, 4 lines) against
   pjsua2 customers who answer at a realistic pace (prompts at HUIFANG_TTS_SPEED_WPM 150, each
   answer given after the question ends, by keypad or spoken and recognised by Whisper) and
   SIPp lines that are busy or ring until our ring timeout. It reports policies per hour with
   4 lines, the runner's CPU per second of answered call (SIP, media, recording, VAD, ASR,
   dialogue) and per unanswered attempt, and the projection to this machine's cores.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/campaign.py --answered 6 --spoken 2 --busy 6 \\
        --unanswered 4 --ring-s 15 --ledger-policies 2000

Uses the campaign tests' peers (tests/campaign/campaign_sip_testkit.py).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "campaign"))  # the peers and policy files of the tests

from campaign_sip_testkit import (  # noqa: E402
    KEYPAD_ALL_CONFIRMED,
    KeypadCustomer,
    SippLine,
    campaign_env,
    huifang,
)
from campaign_testkit import PolicySpec, rules, shanghai, write_policies  # noqa: E402
from sqlalchemy import select  # noqa: E402

from huifang.campaign.configured import DialPlan  # noqa: E402
from huifang.campaign.ledger import Dial, enrol_file  # noqa: E402
from huifang.campaign.runner import CallResult, CampaignRunner  # noqa: E402
from huifang.prompt_audio.cache import PromptCache  # noqa: E402
from huifang.prompt_audio.tts import EspeakTts  # noqa: E402
from storage.campaign_models import AttemptOutcome, CampaignAttempt  # noqa: E402
from storage.database import open_database  # noqa: E402
from storage.models import CallRecord  # noqa: E402

MONDAY = date(2026, 11, 23)


def bench_ledger(workdir: Path, policies: int) -> dict[str, float]:
    """Attempts per hour the database allows: the runner with calls that take no time."""
    db = open_database(f"sqlite:///{workdir / 'ledger.db'}")
    specs = [PolicySpec(f"L{n:06d}", f"1370{n:07d}", MONDAY - timedelta(days=3))
             for n in range(policies)]
    t0 = time.perf_counter()
    enrol_file(db, write_policies(workdir / "ledger.csv", specs), shanghai(MONDAY, 10))
    import_s = time.perf_counter() - t0

    async def place(dial: Dial, on_dialled: Callable[[int], None]) -> CallResult:
        await asyncio.sleep(0)
        return CallResult(AttemptOutcome.SUCCESS, "instant", None)

    runner = CampaignRunner(db, rules(), DialPlan("sip:{phone}@gw"), place, max_concurrent=4,
                            lease=timedelta(minutes=20), clock=lambda: shanghai(MONDAY, 10))
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    asyncio.run(runner.run(until_idle=True, poll_s=0.001))
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    db.close()
    return {"policies": policies, "import_s": round(import_s, 2), "run_s": round(wall, 2),
            "attempts_per_hour": round(policies / wall * 3600),
            "cpu_per_attempt_ms": round(cpu / policies * 1000, 2)}


def spoken_yes(directory: Path) -> Path:
    """对, spoken by espeak-ng slowly (what Whisper base recognises)."""
    return PromptCache(EspeakTts(words_per_minute=120), directory).wav_for("对").path


def customer_turns(spoken: bool, yes: Path) -> tuple[str, ...]:
    """All seven items confirmed, each answer after the question ends (a realistic pace)."""
    if not spoken:
        return tuple(t.replace("start+1:", "end:") for t in KEYPAD_ALL_CONFIRMED)
    say = f"end:say:{yes}"
    return (say, "end:key:4021", *[say] * 6, say, say)  # two spare: a misheard one is asked again


def run_live(workdir: Path, args: argparse.Namespace) -> dict[str, object]:
    """A real campaign over loopback; wall time, CPU and outcomes."""
    yes = spoken_yes(workdir / "answers")
    customers = [KeypadCustomer(*customer_turns(n < args.spoken, yes), lifetime=900)
                 for n in range(args.answered)]
    busy = SippLine("uas_refuse.xml", workdir, {"@CODE@": "486"}, name="busy")
    ringing = SippLine("uas_ring_forever.xml", workdir, name="ringing")
    try:
        routes = {f"1390000{n:04d}": c.template() for n, c in enumerate(customers)}
        routes.update({"1390001": busy.template(), "1390002": ringing.template()})
        env = campaign_env(workdir, routes, HUIFANG_TTS_SPEED_WPM="150",
                           HUIFANG_SIP_RING_TIMEOUT_S=str(args.ring_s),
                           HUIFANG_CALLBACK_ANSWER_TIMEOUT_S="8",
                           HUIFANG_CAMPAIGN_MAX_ATTEMPTS="1",
                           HUIFANG_PROMPT_CACHE=str(ROOT / "var" / "bench-cache" / "prompts"))
        today = date.today()
        specs = [PolicySpec(f"A{n:04d}", f"1390000{n:04d}", today) for n in range(args.answered)]
        specs += [PolicySpec(f"B{n:04d}", f"1390001{n:04d}", today) for n in range(args.busy)]
        specs += [PolicySpec(f"C{n:04d}", f"1390002{n:04d}", today)
                  for n in range(args.unanswered)]
        # Interleave the kinds, as a real list would be (policy number order decides ties).
        specs = [PolicySpec(f"P{k:05d}", s.phone, s.receipt_date) for k, s in
                 enumerate(sorted(specs, key=lambda s: (int(s.phone[-4:]), s.phone)))]
        done = huifang(["campaign", "import", str(write_policies(workdir / "p.csv", specs))],
                       env, 120)
        assert done.returncode == 0, done.stderr
        huifang(["prompts", "render"], env, 600)  # the prompt cache warm, as in production
        startup_cpu, _ = _runner_cpu(env, workdir / "empty.db")
        t0 = time.perf_counter()
        cpu, max_rss_mb = _runner_cpu(env, None)
        wall = time.perf_counter() - t0
        return {"wall_s": wall, "runner_cpu_s": cpu, "startup_cpu_s": startup_cpu,
                "runner_max_rss_mb": max_rss_mb,
                **_outcomes(env["HUIFANG_DB_URL"]),
                "peer_cpu_s": _children_cpu()}
    finally:
        for customer in customers:
            customer.kill()
        busy.kill()
        ringing.kill()


def _runner_cpu(env: dict[str, str], empty_db: Path | None) -> tuple[float, float]:
    """CPU seconds (user + system) and peak MB of one `huifang campaign run --until-idle`."""
    run_env = dict(env)
    if empty_db is not None:  # no policy: what loading the engine and the phone costs
        run_env["HUIFANG_DB_URL"] = f"sqlite:///{empty_db}"
    proc = subprocess.Popen([sys.executable, "-m", "huifang", "campaign", "run", "--until-idle"],
                            cwd=ROOT, env=run_env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"campaign run exited {proc.returncode}")
    return float(usage.ru_utime + usage.ru_stime), round(usage.ru_maxrss / 1024)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return round(usage.ru_utime + usage.ru_stime, 1)


def _outcomes(url: str) -> dict[str, object]:
    """Attempt outcomes, answered call seconds and the span of the campaign."""
    db = open_database(url)
    with db.session() as session:
        attempts = session.scalars(select(CampaignAttempt)).all()
        calls = {c.id: c for c in session.scalars(select(CallRecord))}
        answered_s = sum((c.ended_at - c.started_at).total_seconds() for c in calls.values()
                         if c.ended_at and c.dialogue_outcome)
        other_s = sum((c.ended_at - c.started_at).total_seconds() for c in calls.values()
                      if c.ended_at and not c.dialogue_outcome)
        span = (max(a.ended_at for a in attempts if a.ended_at)
                - min(a.started_at for a in attempts)).total_seconds()
        outcomes = Counter(a.outcome.value for a in attempts if a.outcome)
        answered_calls = sum(1 for c in calls.values() if c.dialogue_outcome)
    db.close()
    return {"outcomes": dict(outcomes), "answered_call_s": answered_s,
            "unanswered_call_s": other_s, "answered_calls": answered_calls,
            "campaign_span_s": span, "policies": len({a.campaign_policy_id for a in attempts})}


def report(live: dict[str, object], cores: int) -> dict[str, object]:
    """Policies per hour with 4 lines, CPU per answered call second, the projection."""
    span = float(live["campaign_span_s"])  # type: ignore[arg-type]
    policies = int(live["policies"])  # type: ignore[call-overload]
    work_cpu = float(live["runner_cpu_s"]) - float(live["startup_cpu_s"])  # type: ignore[arg-type]
    answered_s = float(live["answered_call_s"])  # type: ignore[arg-type]
    line_s = answered_s + float(live["unanswered_call_s"])  # type: ignore[arg-type]
    cpu_per_line_s = work_cpu / line_s  # cores one busy line keeps busy
    # Lines this machine could keep busy at 80 % of its cores; each process holds 4.
    lines = int(0.8 * cores / cpu_per_line_s)
    per_policy_line_s = line_s / policies
    return {
        "policies_per_hour_4_lines": round(policies / span * 3600),
        "cpu_cores_per_busy_line": round(cpu_per_line_s, 3),
        "line_seconds_per_policy": round(per_policy_line_s, 1),
        "lines_at_80pct_cpu": lines,
        "projected_policies_per_hour": round(lines * 3600 / per_policy_line_s),
    }


def main() -> None:
    """Run both measurements and print them as JSON lines."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--answered", type=int, default=6, help="customers who answer")
    parser.add_argument("--spoken", type=int, default=2, help="of them, speaking their answers")
    parser.add_argument("--busy", type=int, default=6, help="policies on a busy line (486)")
    parser.add_argument("--unanswered", type=int, default=4, help="policies nobody answers")
    parser.add_argument("--ring-s", type=float, default=15.0, help="ring timeout")
    parser.add_argument("--ledger-policies", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-campaign-") as tmp:
        workdir = Path(tmp)
        ledger = bench_ledger(workdir, args.ledger_policies)
        print(json.dumps({"ledger": ledger}), flush=True)
        live = run_live(workdir, args)
        print(json.dumps({"live": live}), flush=True)
        print(json.dumps({"summary": report(live, os.cpu_count() or 1)}), flush=True)


if __name__ == "__main__":
    main()
