"""Benchmark of the SIP endpoint: N simultaneous calls to itself with taps and recordings.

Each call has two legs in this one endpoint (outbound and inbound), both playing a prompt,
both tapped by an asyncio consumer and both recorded, so N calls exercise 2N legs. Prints
dropped frames, CPU per second of call audio, pj-thread command round trips, set-up time.

    .venv/bin/python bench/ivr_calls.py --calls 2 --seconds 10

Two self-calls use all four call slots of the PyPI wheel (PJSUA_MAX_CALLS = 4).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

from ivr.call import Call
from ivr.config import SipConfig
from ivr.events import Leg
from ivr.phone import Phone

TAPS = True
RECORD = True


def tone_wav(path: Path, seconds: float) -> Path:
    """A 600 Hz prompt."""
    t = np.arange(int(16000 * seconds)) / 16000
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes((8000 * np.sin(2 * np.pi * 600 * t)).astype("<i2").tobytes())
    return path


async def consume(call: Call, leg: Leg, counts: list[int]) -> None:
    """Drain one tap like asr/ would (without the ASR)."""
    async for frame in call.tap(leg):
        counts[0] += frame.sample_count


async def one_call(
    phone: Phone, prompt: Path, seconds: float, setup: list[float], samples: list[int]
) -> None:
    """Self-call, answer, play both ways, tap all four directions, hang up."""
    t0 = time.monotonic()
    out = await phone.place_call(phone.uri("bench"))
    inc = await phone.next_incoming(10)
    await inc.answer()
    assert await out.wait_answered(10)
    setup.append(time.monotonic() - t0)
    counts = [0]
    legs = list(Leg) if TAPS else []
    tasks = [asyncio.create_task(consume(c, leg, counts)) for c in (out, inc) for leg in legs]
    await out.play(prompt)
    await inc.play(prompt)
    await asyncio.sleep(seconds)
    await out.hangup()
    await out.wait_ended(10)
    await inc.wait_ended(10)
    await asyncio.wait_for(asyncio.gather(*tasks), 10)
    samples.append(counts[0])


async def round_trips(phone: Phone, n: int) -> list[float]:
    """Latency of a no-op command through the pj thread's queue."""
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        await phone.registration_code()
        times.append(time.perf_counter() - t0)
        await asyncio.sleep(0.05)
    return times


async def run(calls: int, seconds: float, codec: str) -> dict[str, object]:
    """The whole benchmark; figures as a dict."""
    with tempfile.TemporaryDirectory() as tmp:
        config = SipConfig(
            bind_address="127.0.0.1",
            port=0,
            transport="udp",
            codecs=(codec,),
            recordings_dir=Path(tmp) if RECORD else None,
        )
        prompt = tone_wav(Path(tmp) / "prompt.wav", seconds + 2)
        async with Phone(config) as phone:
            setup: list[float] = []
            samples: list[int] = []
            cpu0 = resource.getrusage(resource.RUSAGE_SELF)
            wall0 = time.monotonic()
            rtt_task = asyncio.create_task(round_trips(phone, int(seconds * 10)))
            await asyncio.gather(
                *(one_call(phone, prompt, seconds, setup, samples) for _ in range(calls))
            )
            rtts = await rtt_task
            wall = time.monotonic() - wall0
            cpu1 = resource.getrusage(resource.RUSAGE_SELF)
            counters = phone.counters()
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    legs = 2 * calls
    return {
        "calls": calls,
        "legs": legs,
        "codec": codec,
        "seconds_per_call": seconds,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "cpu_percent_of_one_core": round(100 * cpu / wall, 1),
        "cpu_ms_per_leg_second": round(1000 * cpu / (legs * seconds), 2),
        "taps": TAPS,
        "recording": RECORD,
        "tap_samples_per_leg_second": round(sum(samples) / (2 * legs * seconds)),
        "setup_s_median": round(statistics.median(setup), 3),
        "setup_s_max": round(max(setup), 3),
        "pj_round_trip_ms_p50": round(1000 * statistics.median(rtts), 2),
        "pj_round_trip_ms_p95": round(1000 * sorted(rtts)[int(0.95 * len(rtts))], 2),
        "tap_frames": counters.tap_frames,
        "tap_dropped": counters.tap_dropped,
        "recorder_frames": counters.recorder_frames,
        "recorder_dropped": counters.recorder_dropped,
        "recorder_late": counters.recorder_late,
    }


def main() -> None:
    """Parse arguments, run, print one JSON object."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--calls", type=int, default=2)
    p.add_argument("--seconds", type=float, default=8.0)
    p.add_argument("--codec", default="PCMU")
    p.add_argument("--no-taps", action="store_true", help="no asyncio tap consumers")
    p.add_argument("--no-record", action="store_true", help="no recordings")
    args = p.parse_args()
    global TAPS, RECORD
    TAPS, RECORD = not args.no_taps, not args.no_record
    print(json.dumps(asyncio.run(run(args.calls, args.seconds, args.codec)), indent=1))


if __name__ == "__main__":
    main()
