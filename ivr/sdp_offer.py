"""Whether a caller's SDP offer gives us audio we can use (pure; no pjsua2, no DNS).

pjsua answers 200 to offers it cannot really use: an IPv6 or unresolvable connection address
(our RTP sockets are IPv4) or audio carrying only telephone-event. Such a call would be
silent until the media timeout; answering 488 at once is what RFC 3264 §6 asks for.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

# Static RTP payload types (RFC 3551) of the codecs we can offer.
_STATIC = {0: "PCMU", 8: "PCMA", 9: "G722", 10: "L16", 11: "L16"}


@dataclass(frozen=True)
class AudioOffer:
    """The first audio stream of an offer, as far as the answer depends on it."""

    address: str  # the c= address that applies to it
    port: int
    codecs: tuple[str, ...]  # encoding names, upper case, in offer order


def sdp_body(message: str) -> str:
    """The SDP of a whole SIP message, or "" when it carries none."""
    _, separator, body = message.replace("\r\n", "\n").partition("\n\n")
    return body if separator and "m=" in body else ""


def first_audio(sdp: str) -> AudioOffer | None:
    """The offer's first m=audio stream, or None when it has none."""
    session_address, address, port, payloads = "", "", -1, []
    rtpmap: dict[int, str] = {}
    in_audio = seen_audio = False
    for line in sdp.replace("\r\n", "\n").split("\n"):
        kind, _, value = line.strip().partition("=")
        if kind == "m":
            if seen_audio:
                break
            fields = value.split()
            in_audio = len(fields) >= 3 and fields[0] == "audio"
            if in_audio:
                seen_audio = True
                port = int(fields[1]) if fields[1].isdigit() else -1
                payloads = [int(p) for p in fields[3:] if p.isdigit()]
        elif kind == "c":
            parts = value.split()
            target = parts[2].split("/")[0] if len(parts) >= 3 else ""
            if in_audio:
                address = target
            elif not seen_audio:
                session_address = target
        elif kind == "a" and in_audio and value.startswith("rtpmap:"):
            number, _, encoding = value[len("rtpmap:"):].partition(" ")
            if number.isdigit():
                rtpmap[int(number)] = encoding.split("/")[0].upper()
    if not seen_audio:
        return None
    codecs = tuple(rtpmap.get(p) or _STATIC.get(p, "") for p in payloads)
    return AudioOffer(address or session_address, port, codecs)


def offer_problem(message: str, our_codecs: tuple[str, ...]) -> str | None:
    """Why the INVITE's offer gives no usable audio, or None (also when it has no offer)."""
    sdp = sdp_body(message)
    if not sdp:
        return None  # no offer: we offer in our 200, the caller answers in its ACK
    audio = first_audio(sdp)
    if audio is None or audio.port <= 0:
        return "the offer has no audio stream"
    try:
        address = ipaddress.ip_address(audio.address)
    except ValueError:
        return f"the audio address {audio.address!r} is not an IP address"
    if address.version != 4:
        return f"the audio address {audio.address} is IPv6; our media is IPv4"
    ours = {codec.upper() for codec in our_codecs}
    if not ours.intersection(audio.codecs):
        offered = ", ".join(c for c in audio.codecs if c) or "none we know"
        return f"no audio codec in common (offered: {offered})"
    return None
