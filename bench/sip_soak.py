"""Soak of the SIP endpoint: many short calls back to back in one process, collector on.

Each call is a self-call (an outbound and an inbound leg in this one endpoint): answered,
a prompt played both ways, both legs tapped and recorded, hung up. Python's cyclic collector
stays on, and a second thread runs it every 50 ms as a web server's threads would: a pjsua2
object freed there would abort the process (ivr/pj_owned.py prevents it). Prints RSS as the
calls go, pj objects destroyed and buried, and the outcomes.

    .venv/bin/python bench/sip_soak.py --calls 500
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from ivr.call import Call
from ivr.config import SipConfig
from ivr.events import Leg
from ivr.phone import Phone


def rss_mb() -> float:
    """Resident memory of this process now."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def collector(stop: threading.Event) -> None:
    """The cyclic collector, on a thread pjlib does not know."""
    while not stop.wait(0.05):
        gc.collect()


async def drain(call: Call) -> None:
    """Consume one tap like asr/ would."""
    async for _ in call.tap(Leg.CUSTOMER):
        pass


async def one_call(phone: Phone, prompt: Path, outcomes: Counter[str]) -> None:
    """Self-call, answer, a prompt each way, hang up; both ends counted."""
    out = await phone.place_call(phone.uri("soak"))
    inc = await phone.next_incoming(10)
    await inc.answer()
    if await out.wait_answered(10):
        taps = [asyncio.create_task(drain(c)) for c in (out, inc)]
        plays = [await c.play(prompt) for c in (out, inc)]
        await asyncio.gather(*(p.wait(5) for p in plays))
        await out.hangup()
        await asyncio.gather(*taps)
    for call in (out, inc):
        outcomes[(await call.wait_ended(10)).outcome.value] += 1


async def soak(calls: int, prompt: Path, recordings: Path) -> None:
    """Run the calls; print memory as they go."""
    assert gc.isenabled()
    stop = threading.Event()
    thread = threading.Thread(target=collector, args=(stop,), daemon=True)
    thread.start()
    outcomes: Counter[str] = Counter()
    config = SipConfig(bind_address="127.0.0.1", port=0, transport="udp", codecs=("PCMU",),
                       recordings_dir=recordings)
    started = time.monotonic()
    try:
        async with Phone(config) as phone:
            await one_call(phone, prompt, outcomes)  # warm: the first call allocates pools
            print(f"after call 1: RSS {rss_mb():.1f} MB", flush=True)
            first_rss = rss_mb()
            for n in range(2, calls + 1):
                try:
                    await one_call(phone, prompt, outcomes)
                except TimeoutError as err:  # counted, reported, and the soak goes on
                    outcomes["timed_out"] += 1
                    print(f"call {n}: timed out ({err!r}); lines in use "
                          f"{await phone.lines_in_use()}", flush=True)
                    await phone.hangup_all(10)
                if n % 100 == 0 or n == calls:
                    print(f"after call {n}: RSS {rss_mb():.1f} MB "
                          f"({time.monotonic() - started:.0f} s)", flush=True)
                for wav in recordings.glob("*.wav"):  # the disk is not what is measured
                    wav.unlink()
            objects = phone._stack.objects
            print(f"pj objects destroyed on the pj thread: {objects.destroyed}, of which "
                  f"{objects.buried} let go of on another thread", flush=True)
    finally:
        stop.set()
        thread.join()
    load = os.getloadavg()
    print(f"{calls} calls ({2 * calls} legs) in {time.monotonic() - started:.0f} s, "
          f"outcomes {dict(outcomes)}; RSS {first_rss:.1f} -> {rss_mb():.1f} MB; "
          f"load {load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f} on {os.cpu_count()} cores")


def main() -> None:
    """Arguments: how many calls, how long a prompt."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--calls", type=int, default=500)
    p.add_argument("--prompt-s", type=float, default=0.3)
    args = p.parse_args()
    import wave

    import numpy as np

    with tempfile.TemporaryDirectory() as tmp:
        prompt = Path(tmp) / "prompt.wav"
        t = np.arange(int(16000 * args.prompt_s)) / 16000
        with wave.open(str(prompt), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(16000)
            w.writeframes((8000 * np.sin(2 * np.pi * 600 * t)).astype("<i2").tobytes())
        recordings = Path(tmp) / "recordings"
        recordings.mkdir()
        asyncio.run(soak(args.calls, prompt, recordings))


if __name__ == "__main__":
    main()
