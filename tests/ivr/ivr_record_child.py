"""A process that records a call and waits to be killed (for the crash-safety test)."""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path

from ivr.config import SipConfig
from ivr.phone import Phone


async def record_until_killed(peer_uri: str, recordings: Path, prompt: Path) -> None:
    """Call the peer, play a long prompt, say where the recording is, then wait."""
    config = SipConfig(bind_address="127.0.0.1", port=0, transport="udp",
                       codecs=("PCMU",), recordings_dir=recordings)
    async with Phone(config) as phone:
        call = await phone.place_call(peer_uri)
        assert await call.wait_answered(5)
        await call.wait_media(5)
        await call.play(prompt)
        print(json.dumps({"event": "recording", "path": str(recordings / f"{call.call_id}.wav")}),
              flush=True)
        await asyncio.sleep(30)  # the test kills us long before this


def main() -> None:
    """Arguments: the peer's URI, the recordings folder, the prompt WAV."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("peer_uri")
    p.add_argument("recordings", type=Path)
    p.add_argument("prompt", type=Path)
    args = p.parse_args()
    asyncio.run(record_until_killed(args.peer_uri, args.recordings, args.prompt))


if __name__ == "__main__":
    main()
