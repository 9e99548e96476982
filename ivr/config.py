"""What the SIP endpoint needs to know, independent of how settings are read (huifang's
settings make one with huifang.settings.sip_config)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ivr.admission import AdmissionPolicy

TransportName = Literal["udp", "tcp", "udp+tcp"]


def proxy_route(uri: str) -> str:
    """An outbound proxy as a loose-routing Route URI (";lr" added); ValueError when no sip: URI.

    "sip:10.0.0.5:5060" becomes "sip:10.0.0.5:5060;lr": without lr pjsip would route strictly
    (the proxy's address in the Request-URI, the callee's in a Route), which proxies refuse."""
    text = uri.strip()
    scheme, _, rest = text.partition(":")
    host = rest.split(";", 1)[0].rsplit("@", 1)[-1]
    if scheme not in ("sip", "sips") or not host or host.startswith(":"):
        raise ValueError(f"not a sip: URI of a proxy: {uri!r} (e.g. sip:10.0.0.5:5060)")
    params = [p.strip().lower() for p in rest.split(";")[1:]]
    return text if "lr" in params else f"{text};lr"


@dataclass(frozen=True)
class Registration:
    """Optional REGISTER to a registrar with digest authentication."""

    registrar: str  # e.g. "sip:pbx.example.cn"
    username: str
    password: str
    realm: str = "*"


@dataclass(frozen=True)
class SipConfig:
    """The endpoint's sockets, codecs, timeouts and audio queue sizes."""

    bind_address: str = "0.0.0.0"
    port: int = 5060  # 0 lets the OS pick; Phone.local_port tells which
    transport: TransportName = "udp+tcp"
    user: str = "huifang"
    codecs: tuple[str, ...] = ("PCMA", "PCMU", "G722", "L16")
    rtp_port: int = 4000
    media_timeout_s: float = 10.0
    ring_timeout_s: float = 40.0
    # An answered inbound call whose caller has not ACKed our 200 by then is ended at once
    # (pjsip alone would keep its slot for 64*T1 = 32 s). The 200 is resent at 0.5, 1.5
    # and 3.5 s, so 4 s covers three losses.
    ack_timeout_s: float = 4.0
    # A CANCEL the callee does not answer (a dead peer): the call is ended after this long.
    cancel_timeout_s: float = 4.0
    admission: AdmissionPolicy = field(default_factory=AdmissionPolicy)
    guard: bool = True  # the pjsip screen and fallback modules (ivr.sip_guard)
    registration: Registration | None = None
    outbound_proxy: str = ""  # a Route URI (proxy_route) every call we place visits first
    tap_queue_frames: int = 500
    recorder_queue_frames: int = 3000
    recordings_dir: Path | None = None  # None: calls are recorded only when asked
    clock_rate: int = 16000  # conference bridge rate: taps and recordings are 16 kHz mono
    log_level: int = 1
    poll_ms: int = 10
