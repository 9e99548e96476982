"""What every response carries and every request is held to: security headers, no caching of
personal data, bounded bodies, and validation errors that never echo what was sent."""

from __future__ import annotations

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from huifang.web.personal_data import PersonalDataMask
from zhtext.personal_numbers import mask_personal_numbers

# Bodies are small JSON objects (the longest is a 2000-character note); anything near this
# is an attack or a mistake, refused before it is read (Content-Length) or while it streams.
MAX_BODY_BYTES = 256 * 1024
# The one route open to anyone: a name and a password, never more.
MAX_SIGN_IN_BODY_BYTES = 4 * 1024

# Pages load their scripts and styles from files under /app (no inline code, no CDN), talk to
# this origin only (fetch and the agent screen's websocket) and may not be framed.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
    "media-src 'self'", "connect-src 'self'", "font-src 'self'", "form-action 'self'",
    "frame-ancestors 'none'", "base-uri 'none'", "object-src 'none'",
])  # fmt: skip
_EVERY_RESPONSE = (
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-frame-options", "DENY"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=()"),
)
# API answers, recordings and exports carry personal data: no browser or proxy keeps a copy.
_PERSONAL_PREFIXES = ("/api/", "/ws/")
NO_STORE = "no-store"


class SecurityHeaders:
    """ASGI middleware adding the security headers, and no-store on personal-data paths."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        personal = str(scope.get("path", "")).startswith(_PERSONAL_PREFIXES)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _EVERY_RESPONSE:
                    headers[name] = value
                if personal:
                    headers["cache-control"] = NO_STORE
                    headers["pragma"] = "no-cache"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def harden(app: FastAPI) -> None:
    """Add the headers and personal-data middleware and the validation-error answer."""
    app.add_middleware(PersonalDataMask)
    app.add_middleware(SecurityHeaders)
    app.add_exception_handler(RequestValidationError, _validation_error)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    """422 naming where and what is wrong, never the value sent (it may be a password)."""
    assert isinstance(exc, RequestValidationError)
    detail = [
        {"loc": list(error.get("loc", ())), "msg": mask_personal_numbers(str(error.get("msg", ""))),
         "type": str(error.get("type", ""))}
        for error in exc.errors()
    ]  # fmt: skip
    return JSONResponse({"detail": detail}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)
