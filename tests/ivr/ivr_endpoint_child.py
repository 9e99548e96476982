"""Phones started one after another and over each other in one process; JSON of what happened.

Its own process: if the guard against a second pjsua2 Endpoint failed, pjsua2 would abort the
whole process, and that must not take the test run with it.
"""

from __future__ import annotations

import asyncio
import gc
import json
import socket

from ivr.config import SipConfig
from ivr.errors import EndpointBusyError
from ivr.phone import Phone


def _config(port: int = 0) -> SipConfig:
    return SipConfig(bind_address="127.0.0.1", port=port, transport="udp")


async def _start(phone: Phone) -> str:
    """'started', or the error's class and message."""
    try:
        await phone.start()
    except Exception as err:  # reported, not raised: the parent asserts on it
        return f"{type(err).__name__}: {err}"
    return "started"


async def overlap() -> dict[str, str]:
    """A second Phone while one runs; a Phone on a taken port; then a Phone that works."""
    report = {}
    first = Phone(_config())
    report["first"] = await _start(first)
    report["second_while_first_runs"] = await _start(Phone(_config()))
    call = await first.place_call("sip:nobody@127.0.0.1:9")  # a leg, its context, its cycle
    await call.hangup()
    report["call"] = (await call.wait_ended(10)).outcome.value
    await first.stop()
    del first, call  # its legs are cyclic garbage now
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        report["on_a_taken_port"] = await _start(Phone(_config(taken.getsockname()[1])))
    last = Phone(_config())
    report["after_both"] = await _start(last)
    # The first phone's garbage, collected on this (non-pj) thread while pjlib runs again:
    # nothing in it may reach pjlib, or pjlib aborts the process.
    gc.collect()
    report["collected"] = "ok"
    await last.stop()
    report["busy_error"] = EndpointBusyError.__name__
    return report


if __name__ == "__main__":
    print(json.dumps(asyncio.run(overlap())), flush=True)
