"""A call dialled into the slot of a call the peer has just ended must live, reported as JSON.

Its own process and endpoint. Three calls ring and keep their slots; a fourth is answered
and the peer hangs it up. While pjsua2 reports that BYE, the event loop dials a fifth call,
so that dial is queued on the pj thread ahead of the ended call's teardown, exactly the
order a busy campaign worker meets: the new call takes the freed slot before anything else
runs. pjsua2's Call destructor acts on its slot number, so an ended call's Call object that
lived on into that moment hung up the new call and cut off its callbacks.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

import pjsua2 as pj

from ivr.call import Call
from ivr.call_leg import CallLeg
from ivr.config import SipConfig
from ivr.phone import Phone

QUEUE_WAIT_S = 5.0


def dial_during_disconnect(phone: Phone, ending: Call, uri: str,
                           loop: asyncio.AbstractEventLoop) -> asyncio.Future[Call]:
    """Patch CallLeg so that `ending`'s DISCONNECTED callback first has `uri` dialled."""
    placed: asyncio.Future[Call] = loop.create_future()
    original = CallLeg.on_state

    def on_state(leg: CallLeg, state: int, status_code: int, reason: str,
                 connected_s: float) -> None:
        if leg is ending.leg and state == pj.PJSIP_INV_STATE_DISCONNECTED and not placed.done():
            commands = phone._pj._commands  # the race lives in this queue
            before = commands.qsize()
            task = asyncio.run_coroutine_threadsafe(phone.place_call(uri), loop)
            task.add_done_callback(lambda f: loop.call_soon_threadsafe(_settle, placed, f))
            deadline = time.monotonic() + QUEUE_WAIT_S
            while commands.qsize() <= before and time.monotonic() < deadline:
                time.sleep(0.001)  # the loop queues the dial; the BYE is still being reported
        original(leg, state, status_code, reason, connected_s)

    CallLeg.on_state = on_state  # type: ignore[method-assign,assignment]  # the seam
    return placed


def _settle(target: asyncio.Future[Call], source: Any) -> None:
    if source.exception() is not None:
        target.set_exception(source.exception())
    else:
        target.set_result(source.result())


async def run(ringing: list[str], hangs_up: str, stays: str) -> dict[str, object]:
    """Fill the slots, let the peer end one, dial into it; report the new call's fate."""
    config = SipConfig(bind_address="127.0.0.1", port=0, transport="udp", ring_timeout_s=60,
                       media_timeout_s=30)
    async with Phone(config) as phone:
        holders = [await phone.place_call(uri) for uri in ringing]
        ending = await phone.place_call(hangs_up)
        placed = dial_during_disconnect(phone, ending, stays, asyncio.get_running_loop())
        first_answered = await ending.wait_answered(15)
        first_end = await ending.wait_ended(15)
        reused = await asyncio.wait_for(placed, 15)
        try:
            answered = await reused.wait_answered(10)
        except TimeoutError:
            answered = False
        await asyncio.sleep(1.0)
        alive = not reused.ended
        for call in [*holders, reused]:
            await call.hangup()
        # A call whose callbacks were cut off never reports its end: counted, not awaited.
        ends = await asyncio.gather(*(c.wait_ended(10) for c in [*holders, reused]),
                                    return_exceptions=True)
    return {"event": "reuse", "first_answered": first_answered,
            "first_outcome": first_end.outcome.value, "answered": answered, "alive": alive,
            "unreported_ends": sum(isinstance(e, BaseException) for e in ends)}


def main() -> None:
    """Arguments: three ringing peers, one that answers and hangs up, one that stays."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--ringing", nargs=3, required=True)
    p.add_argument("--hangs-up", required=True)
    p.add_argument("--stays", required=True)
    args = p.parse_args()
    print(json.dumps(asyncio.run(run(args.ringing, args.hangs_up, args.stays))), flush=True)


if __name__ == "__main__":
    main()
