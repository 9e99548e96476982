"""A fresh Phone fills every call slot, tries one call more, hangs up, and reports as JSON.

Its own process and endpoint: in the shared test endpoint, slots of earlier tests' calls
are freed by pjsua at moments no API shows, which made the count of free slots a guess.
"""

from __future__ import annotations

import argparse
import asyncio
import json

from ivr.call_leg import DialError
from ivr.config import SipConfig
from ivr.phone import Phone


async def fill_slots(uris: list[str]) -> dict[str, object]:
    """Dial every URI (peers that ring forever), then one more; report what happened."""
    config = SipConfig(bind_address="127.0.0.1", port=0, transport="udp", ring_timeout_s=60)
    async with Phone(config) as phone:
        calls = [await phone.place_call(uri) for uri in uris]
        try:
            extra = await phone.place_call(uris[0])
        except DialError as err:
            refused = str(err)
        else:
            refused = ""
            calls.append(extra)
        for call in calls:
            await call.hangup()
        ended = [await call.wait_ended(10) for call in calls]
    return {"event": "slots", "placed": len(uris), "refused": refused,
            "outcomes": [e.outcome.value for e in ended]}


def main() -> None:
    """Arguments: the peer URIs to fill the slots with."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("uris", nargs="+")
    print(json.dumps(asyncio.run(fill_slots(p.parse_args().uris))), flush=True)


if __name__ == "__main__":
    main()
