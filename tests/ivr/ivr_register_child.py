"""A process whose Phone registers with digest auth, reports the registrar's answer, and stops."""

from __future__ import annotations

import argparse
import asyncio
import json

from ivr.config import Registration, SipConfig
from ivr.phone import Phone


async def register(registrar: str, password: str) -> int:
    """The registrar's final answer to our REGISTER (0 when none within 5 s)."""
    config = SipConfig(bind_address="127.0.0.1", port=0, transport="udp",
                       registration=Registration(registrar, "huifang", password))
    async with Phone(config) as phone:
        for _ in range(50):
            code = await phone.registration_code()
            if code >= 200:
                return code
            await asyncio.sleep(0.1)
    return 0


def main() -> None:
    """Arguments: the registrar URI and the password to use."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("registrar")
    p.add_argument("password")
    args = p.parse_args()
    print(json.dumps({"event": "registered", "code": asyncio.run(
        register(args.registrar, args.password))}), flush=True)


if __name__ == "__main__":
    main()
