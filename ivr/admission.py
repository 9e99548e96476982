"""Whether an incoming INVITE may become a call: lines, allow-list, per-source limits (pure).

The lines are pjsua's own call slots in use, counted by pjsua, so a call huifang has ended
but pjsua still holds is still a line taken. An allow-listed source (a trunk or PBX carrying
many callers) is exempt from the per-source limits; with an allow-list set, nobody else
may call at all.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from ivr.events import CallEnded, CallRefused, RefusalReason
from ivr.outcome import CallOutcome

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
_MAX_TRACKED_SOURCES = 4096  # a scan from many addresses must not grow this without bound


@dataclass(frozen=True)
class AdmissionPolicy:
    """Limits on incoming calls; 0 means no limit."""

    max_lines: int = 4
    allowed_sources: tuple[IpNetwork, ...] = ()  # empty: any address may call
    invites_per_minute: int = 0  # per source address
    calls_per_source: int = 0  # at once, per source address

    @staticmethod
    def networks(specs: list[str] | tuple[str, ...]) -> tuple[IpNetwork, ...]:
        """Addresses or networks ("10.1.2.3", "10.1.0.0/16"); ValueError names a bad one."""
        networks = []
        for spec in specs:
            try:
                networks.append(ipaddress.ip_network(spec.strip(), strict=False))
            except ValueError as err:
                raise ValueError(f"not an address or network: {spec!r}") from err
        return tuple(networks)


@dataclass(frozen=True)
class Refusal:
    """What to answer and why."""

    status_code: int
    reason: RefusalReason
    stateless: bool = False  # a flood is answered without keeping a transaction per INVITE


@dataclass
class _Bucket:
    tokens: float
    at: float


@dataclass
class Admission:
    """Decides on each new INVITE; the clock is passed in, so tests run on a virtual one."""

    policy: AdmissionPolicy
    _buckets: dict[str, _Bucket] = field(default_factory=dict)

    def decide(self, source_ip: str, now: float, lines_in_use: int,
               calls_from_source: int) -> Refusal | None:
        """None to let the INVITE through, else the refusal to send."""
        trusted = self._allow_listed(source_ip)
        if self.policy.allowed_sources and not trusted:
            return Refusal(403, RefusalReason.SOURCE_NOT_ALLOWED, stateless=True)
        if not trusted and self._over_rate(source_ip, now):
            return Refusal(503, RefusalReason.SOURCE_RATE, stateless=True)
        if 0 < self.policy.calls_per_source <= calls_from_source and not trusted:
            return Refusal(486, RefusalReason.SOURCE_CALLS)
        if 0 < self.policy.max_lines <= lines_in_use:
            return Refusal(486, RefusalReason.LINES_BUSY)
        return None

    def _allow_listed(self, source_ip: str) -> bool:
        if not self.policy.allowed_sources:
            return False
        try:
            address = ipaddress.ip_address(source_ip)
        except ValueError:
            return False
        return any(address in network for network in self.policy.allowed_sources)

    def _over_rate(self, source_ip: str, now: float) -> bool:
        """A token bucket per address: `invites_per_minute` a minute, bursts of that many."""
        rate = self.policy.invites_per_minute
        if rate <= 0:
            return False
        bucket = self._buckets.get(source_ip)
        if bucket is None:
            if len(self._buckets) >= _MAX_TRACKED_SOURCES:
                self._forget_full_buckets(now)
            bucket = self._buckets[source_ip] = _Bucket(float(rate), now)
        bucket.tokens = min(float(rate), bucket.tokens + (now - bucket.at) * rate / 60.0)
        bucket.at = now
        if bucket.tokens < 1.0:
            return True
        bucket.tokens -= 1.0
        return False

    def _forget_full_buckets(self, now: float) -> None:
        """Drop sources whose bucket has refilled (no different from new ones); if that is
        not enough, the least recently seen half goes (one sort per half table, not per INVITE)."""
        rate = self.policy.invites_per_minute
        for source, bucket in list(self._buckets.items()):
            if bucket.tokens + (now - bucket.at) * rate / 60.0 >= rate:
                del self._buckets[source]
        if len(self._buckets) >= _MAX_TRACKED_SOURCES:
            newest = sorted(self._buckets.items(), key=lambda item: item[1].at)
            self._buckets = dict(newest[len(newest) // 2:])

_REFUSAL_OUTCOMES = {
    RefusalReason.LINES_BUSY: CallOutcome.BUSY,
    RefusalReason.NO_CALL_SLOT: CallOutcome.BUSY,
    RefusalReason.SOURCE_CALLS: CallOutcome.BUSY,
    RefusalReason.SOURCE_NOT_ALLOWED: CallOutcome.REJECTED,
    RefusalReason.SOURCE_RATE: CallOutcome.REJECTED,
    RefusalReason.UNUSABLE_OFFER: CallOutcome.UNUSABLE_OFFER,
}


def refusal_as_call_end(refusal: CallRefused) -> CallEnded:
    """A refused INVITE as the end of a call that never began, for storage and reports."""
    outcome = _REFUSAL_OUTCOMES.get(refusal.reason, CallOutcome.FAILED)
    return CallEnded(refusal.sip_call_id, outcome, refusal.status_code, refusal.reason.value,
                     False, 0.0, None)
