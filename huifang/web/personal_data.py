"""The API's last word on personal numbers: every string of every JSON answer passes through
`mask_personal_numbers` unless the signed-in reader's role may see the numbers.

Views still mask the fields they know (a policy's phone as 138****5678); this edge catches what
they cannot know about — free text typed by people (reasons, notes, resolutions), texts nested
in audit entries, fields a new route adds. It denies by default: a response is masked unless
the request was made by a signed-in user whose role sees personal data (`allow_personal_data`).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from zhtext.personal_numbers import mask_personal_numbers

_STATE_KEY = "sees_personal_data"
# Values under these keys are identifiers every role may see whole, never personal numbers.
IDENTIFIER_KEYS = frozenset({"policy_no", "csrf_token"})


def allow_personal_data(request: Request, allowed: bool) -> None:
    """Say whether this request's reader may see personal numbers (set by current_user)."""
    setattr(request.state, _STATE_KEY, allowed)


def masked_json(value: Any, key: str | None = None) -> Any:
    """JSON data with personal numbers hidden in every string but the identifier keys."""
    if isinstance(value, str):
        return value if key in IDENTIFIER_KEYS else mask_personal_numbers(value)
    if isinstance(value, dict):
        return {k: masked_json(item, k) for k, item in value.items()}
    if isinstance(value, list):
        return [masked_json(item, key) for item in value]
    return value


class PersonalDataMask:
    """ASGI middleware: JSON answers masked unless the reader may see personal numbers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        body: list[bytes] = []

        async def send_masked(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                if _is_json(message) and not scope.get("state", {}).get(_STATE_KEY, False):
                    start = message  # held back until the body is complete
                    return
                await send(message)
                return
            if start is None or message["type"] != "http.response.body":
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            masked = _masked_body(b"".join(body))
            headers = MutableHeaders(scope=start)
            headers["content-length"] = str(len(masked))
            await send(start)
            await send({"type": "http.response.body", "body": masked})

        await self.app(scope, receive, send_masked)


def _is_json(start: Message) -> bool:
    for name, value in start.get("headers", []):
        if name.lower() == b"content-type":
            return bool(value.split(b";")[0].strip().lower() == b"application/json")
    return False


def _masked_body(body: bytes) -> bytes:
    try:
        data = json.loads(body)
    except ValueError:  # not JSON after all: masked as text, never let through
        return mask_personal_numbers(body.decode("utf-8", "replace")).encode()
    return json.dumps(masked_json(data), ensure_ascii=False, separators=(",", ":")).encode()
