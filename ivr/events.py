"""Immutable events that leave ivr/: audio frames, DTMF digits, call ends."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from ivr.outcome import CallOutcome


class Leg(StrEnum):
    """One direction of a call's audio; a recording has one channel per leg."""

    AGENT = "agent"  # what the customer hears: our prompts, or the bridged human agent
    CUSTOMER = "customer"  # what the customer says


class DtmfMethod(StrEnum):
    """How a keypad digit travelled."""

    RFC4733 = "rfc4733"  # RTP telephone-event (RFC 2833's successor)
    SIP_INFO = "sip_info"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class AudioFrame:
    """A slice of one leg's audio: PCM16 little-endian mono."""

    call_id: str
    leg: Leg
    pcm: bytes
    sample_rate: int
    sample_offset: int  # index of the first sample since the leg's tap started

    @property
    def sample_count(self) -> int:
        """Samples in this frame."""
        return len(self.pcm) // 2

    @property
    def timestamp(self) -> float:
        """Seconds since the leg's tap started, from the sample count (no wall clock)."""
        return self.sample_offset / self.sample_rate

    def samples(self) -> npt.NDArray[np.int16]:
        """The frame as an int16 array (a read-only view, no copy)."""
        return np.frombuffer(self.pcm, dtype="<i2")


@dataclass(frozen=True, slots=True)
class DtmfDigit:
    """One keypad digit pressed by the customer (按键)."""

    call_id: str
    digit: str
    method: DtmfMethod


@dataclass(frozen=True, slots=True)
class CallEnded:
    """How and why a call ended; the outcome is what a reviewer reads."""

    call_id: str
    outcome: CallOutcome
    status_code: int  # last SIP status seen (e.g. 486), 0 when none
    reason: str
    answered: bool
    connected_s: float  # time from answer to end, 0 when never answered
    recording: str | None  # path of the stereo WAV, when recorded


class RefusalReason(StrEnum):
    """Why an incoming INVITE was turned away before it became a call."""

    LINES_BUSY = "lines_busy"  # every line the configuration allows is taken (486)
    NO_CALL_SLOT = "no_call_slot"  # pjsua itself had no slot left (486, its own refusal)
    SOURCE_NOT_ALLOWED = "source_not_allowed"  # not on the trunk/PBX allow-list (403)
    SOURCE_RATE = "source_rate"  # too many INVITEs from this address (503)
    SOURCE_CALLS = "source_calls"  # too many calls at once from this address (486)
    UNUSABLE_OFFER = "unusable_offer"  # pjsua could not use the INVITE's SDP (488)
    OTHER = "other"  # any other refusal pjsua made on its own


@dataclass(frozen=True, slots=True)
class CallRefused:
    """An INVITE refused before it became a call: stored and counted like any call attempt."""

    source: str  # "ip:port" the INVITE came from
    caller: str  # the From header's value, as sent
    sip_call_id: str
    status_code: int
    reason: RefusalReason
