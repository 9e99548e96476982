"""The few facts of a received SIP request the guard needs, read from its raw text (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Compact forms (RFC 3261 §7.3.3) count: a peer may send "f:" for From, "l:" for Content-Length.
_COMPACT = {"f": "from", "t": "to", "i": "call-id", "l": "content-length", "v": "via",
            "m": "contact", "c": "content-type"}
_TAG = re.compile(rb";\s*tag\s*=", re.IGNORECASE)
_VIA_TRANSPORT = re.compile(r"SIP\s*/\s*2\.0\s*/\s*([A-Za-z]+)", re.IGNORECASE)

# Methods pjsua handles in or out of a dialog, and what we say to the rest.
KNOWN_METHODS = frozenset({"INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "PRACK",
                           "SUBSCRIBE", "NOTIFY", "PUBLISH", "INFO", "REFER", "MESSAGE",
                           "UPDATE"})
# Meaningful only inside a dialog or transaction: out of one, it "does not exist" (481).
DIALOG_METHODS = frozenset({"BYE", "CANCEL", "INFO", "PRACK", "UPDATE", "NOTIFY"})


@dataclass(frozen=True)
class SipRequest:
    """A request line and the headers that decide how it is screened."""

    method: str
    in_dialog: bool  # the To header carries a tag
    max_forwards: int | None  # None when absent or unreadable (pjsip judged that already)
    content_length: int | None
    body_bytes: int  # body bytes actually present after the blank line
    transport: str  # from the top Via: "UDP", "TCP", …
    cseq_method: str
    caller: str  # the From header's value
    sip_call_id: str

    @property
    def body_truncated(self) -> bool:
        """Content-Length promises more body than a datagram carried (RFC 3261 §18.3)."""
        return (self.transport == "UDP" and self.content_length is not None
                and self.content_length > self.body_bytes)

    @property
    def cseq_mismatch(self) -> bool:
        """The CSeq names another method than the request line (RFC 3261 §8.1.1.5)."""
        return bool(self.cseq_method) and self.cseq_method != self.method


def parse_request(text: bytes) -> SipRequest | None:
    """The request's screening facts; None when `text` is not a SIP request at all."""
    head, separator, body = text.partition(b"\r\n\r\n")
    if not separator:
        head, separator, body = text.partition(b"\n\n")
    lines = head.decode("utf-8", "replace").splitlines()
    if not lines:
        return None
    request_line = lines[0].split()
    if len(request_line) != 3 or not request_line[2].upper().startswith("SIP/"):
        return None
    headers = _headers(lines[1:])
    to = headers.get("to", "")
    cseq = headers.get("cseq", "").split()
    via = _VIA_TRANSPORT.search(headers.get("via", ""))
    return SipRequest(
        # RFC 3261 §7.1 says case-sensitive, but pjsip reads "ack" as ACK (and must never
        # be made to answer one: it asserts), so we read methods as pjsip does.
        method=request_line[0].upper(),
        in_dialog=bool(_TAG.search(to.encode())),
        max_forwards=_int(headers.get("max-forwards")),
        content_length=_int(headers.get("content-length")),
        body_bytes=len(body),
        transport=via.group(1).upper() if via else "",
        cseq_method=cseq[1].upper() if len(cseq) == 2 else "",
        caller=headers.get("from", "").strip(),
        sip_call_id=headers.get("call-id", "").strip(),
    )


def _headers(lines: list[str]) -> dict[str, str]:
    """First value of each header by lower-case full name; folded lines joined."""
    headers: dict[str, str] = {}
    last = ""
    for line in lines:
        if line[:1] in (" ", "\t") and last:
            headers[last] += " " + line.strip()
            continue
        name, colon, value = line.partition(":")
        if not colon:
            continue
        key = name.strip().lower()
        key = _COMPACT.get(key, key)
        if key not in headers:
            headers[key] = value.strip()
            last = key
        else:
            last = ""
    return headers


def _int(value: str | None) -> int | None:
    if value is None or not value.strip().isdigit():
        return None
    return int(value.strip())
