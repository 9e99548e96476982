"""Many calls in one process with Python's collector on and collecting from a foreign thread.

Its own process: if a pjsua2 object were freed off the pj thread, pjlib would abort it
(exit 134), and that must not take the test run along. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import threading
from collections import Counter
from pathlib import Path

from ivr.config import SipConfig
from ivr.phone import Phone
from ivr.prompt import PromptPlayer


def collect_until(stop: threading.Event) -> None:
    """The collector runs here, a thread pjlib does not know, as often as it can."""
    while not stop.wait(0.005):
        gc.collect()


def cyclic_player(phone: Phone, wav: Path) -> None:
    """A player in a reference cycle, dropped at once: only the collector can free it."""
    player = PromptPlayer(0, wav, lambda _: None, phone._stack.objects)
    player.me = player


async def run(uri: str, calls: int, wav: Path) -> dict[str, object]:
    """`calls` calls: answered, a prompt, hung up; a cyclic player and call per call."""
    assert gc.isenabled()
    stop = threading.Event()
    collector = threading.Thread(target=collect_until, args=(stop,), daemon=True)
    collector.start()
    outcomes: Counter[str] = Counter()
    config = SipConfig(bind_address="127.0.0.1", port=0, transport="udp", codecs=("PCMU",))
    try:
        async with Phone(config) as phone:
            for _ in range(calls):
                call = await phone.place_call(uri)
                if await call.wait_answered(5):
                    await phone._run(lambda: cyclic_player(phone, wav))
                    prompt = await call.play(wav)
                    await prompt.wait(5)
                await call.hangup()
                outcomes[(await call.wait_ended(5)).outcome.value] += 1
                call.me = call  # type: ignore[attr-defined]  # the asyncio side, cyclic too
            objects = phone._stack.objects
            buried, destroyed = objects.buried, objects.destroyed
    finally:
        stop.set()
        collector.join()
    gc.collect()
    return {"event": "calls", "outcomes": dict(outcomes), "buried": buried,
            "destroyed": destroyed}


def main() -> None:
    """Arguments: the callee's URI, how many calls, a short WAV prompt."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("uri")
    p.add_argument("calls", type=int)
    p.add_argument("wav", type=Path)
    args = p.parse_args()
    print(json.dumps(asyncio.run(run(args.uri, args.calls, args.wav))), flush=True)


if __name__ == "__main__":
    main()
