"""What the SIP endpoint needs to know, independent of how settings are read (huifang's
settings make one with huifang.settings.sip_config)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ivr.admission import AdmissionPolicy

TransportName = Literal["udp", "tcp", "udp+tcp"]


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
    tap_queue_frames: int = 500
    recorder_queue_frames: int = 3000
    recordings_dir: Path | None = None  # None: calls are recorded only when asked
    clock_rate: int = 16000  # conference bridge rate: taps and recordings are 16 kHz mono
    log_level: int = 1
    poll_ms: int = 10
