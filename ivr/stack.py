"""The pjsua2 Endpoint, its transports, codecs and account; every method runs on the pj thread."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pjsua2 as pj

from ivr.admission import Admission
from ivr.call_leg import CallLeg
from ivr.codecs import codec_priorities
from ivr.config import SipConfig
from ivr.errors import EndpointBusyError, SipStartError
from ivr.events import CallRefused, RefusalReason
from ivr.media_tap import TapPool
from ivr.pj_owned import PjObjects, PjOwned
from ivr.sip_guard import GuardHooks, SipGuard

log = logging.getLogger(__name__)

# The PyPI wheel keeps pjproject's compile-time PJSUA_MAX_CALLS, 4 since 2.11: a larger
# uaConfig.maxCalls is silently capped. More calls need more processes or a rebuilt pjproject.
MAX_CALLS = 4
_TRANSPORT_TYPES = {"udp": pj.PJSIP_TRANSPORT_UDP, "tcp": pj.PJSIP_TRANSPORT_TCP}
# pjsua2 allows one Endpoint per process and aborts the process on a second one: refuse
# it with an error instead.
_endpoint_owner: list[SipStack] = []
_endpoint_lock = threading.Lock()


@dataclass(frozen=True)
class StackInfo:
    """Where the endpoint listens."""

    address: str
    port: int
    transports: tuple[str, ...]


# pjsua's own refusals (onRejectedIncomingCall), by the status it sent.
_PJSUA_REFUSALS = {486: RefusalReason.NO_CALL_SLOT, 488: RefusalReason.UNUSABLE_OFFER}


class HuifangEndpoint(pj.Endpoint):  # type: ignore[misc]  # pjsua2 is untyped
    """The Endpoint, to hear of the INVITEs pjsua refuses on its own (no slot, bad SDP)."""

    def __init__(self, on_refused: Callable[[CallRefused], None]) -> None:
        super().__init__()
        self._on_refused = on_refused

    def onRejectedIncomingCall(self, prm: Any) -> None:  # noqa: N802 - pjsua2's name
        """Report it like our own refusals, so it is stored and counted too."""
        reason = _PJSUA_REFUSALS.get(prm.statusCode, RefusalReason.OTHER)
        source = prm.rdata.srcAddress if prm.rdata is not None else ""
        self._on_refused(CallRefused(source, prm.remoteInfo, prm.callId, prm.statusCode,
                                     reason))


class HuifangAccount(PjOwned, pj.Account):  # type: ignore[misc]  # pjsua2 is untyped
    """Our SIP identity: takes incoming calls and tracks registration."""

    def __init__(self, on_incoming: Callable[[int, str, str], None], objects: PjObjects) -> None:
        super().__init__()
        objects.adopt(self)
        self._on_incoming = on_incoming
        self.registration_code = 0

    def onIncomingCall(self, prm: Any) -> None:  # noqa: N802 - pjsua2's name
        """pjsua2 wants the Call object created inside this callback."""
        self._on_incoming(prm.callId, prm.rdata.srcAddress, prm.rdata.wholeMsg)

    def onRegState(self, prm: Any) -> None:  # noqa: N802
        """Remember the registrar's last answer (200 when registered)."""
        self.registration_code = prm.code


class SipStack:
    """Owns the Endpoint and every leg; PjThread calls setup, poll, tick and teardown."""

    def __init__(self, config: SipConfig,
                 on_incoming: Callable[[SipStack, int, str, str], None],
                 on_refused: Callable[[CallRefused], None]) -> None:
        self.config = config
        self._on_incoming = on_incoming
        self._on_refused = on_refused
        self.endpoint: Any = None
        self.account: HuifangAccount | None = None
        self.legs: dict[str, CallLeg] = {}
        self.info: StackInfo | None = None
        self.objects = PjObjects()
        self.taps = TapPool(config.clock_rate, self.objects)
        self.guard = SipGuard(Admission(config.admission),
                              GuardHooks(self.calls_from, on_refused))

    def setup(self) -> StackInfo:
        """libCreate, libInit, transports, libStart, codecs, account."""
        with _endpoint_lock:
            if _endpoint_owner:
                raise EndpointBusyError(
                    "pjsua2 allows one SIP endpoint per process and another Phone of this"
                    " process is still running: stop it first")
            _endpoint_owner.append(self)
        try:
            return self._setup()
        except pj.Error as err:
            # Only the message leaves: the traceback's frames hold the Endpoint, and freeing
            # it later on a thread pjlib does not know aborts the process.
            problem = f"the SIP endpoint did not start: {err.reason} ({err.title})"
        except BaseException:
            self._destroy_failed_setup()
            raise
        self._destroy_failed_setup()
        raise SipStartError(problem)

    def _destroy_failed_setup(self) -> None:
        """A setup that failed half-way (e.g. the SIP port is taken) leaves no Endpoint."""
        self.guard.stop()
        self.objects.destroy(self.account)
        self.account = None
        ep, self.endpoint = self.endpoint, None
        if ep is not None:
            try:
                ep.libDestroy()
            except pj.Error as err:
                log.warning("pjsua2 cleanup after a failed start: %s", err.info())
            _destroy_endpoint(ep)  # pjsua2 allows a new Endpoint only once this one is gone
        self.objects.close()
        self._release_endpoint()

    def _setup(self) -> StackInfo:
        self.objects.bind_thread()
        ep = HuifangEndpoint(self._on_refused)
        self.endpoint = ep
        ep.libCreate()
        ep.libInit(self._endpoint_config())
        port, names = self._create_transports()
        ep.libStart()
        ep.audDevManager().setNullDev()  # no sound card: the null device clocks the bridge
        self._apply_codecs()
        if self.config.guard:
            self.guard.start()
        self.account = HuifangAccount(
            lambda pj_call_id, source, invite: self._on_incoming(self, pj_call_id, source, invite),
            self.objects)
        self.account.create(self._account_config(port))
        self.info = StackInfo(self.config.bind_address, port, names)
        return self.info

    def poll(self, ms: int) -> None:
        """Let pjsua2 process SIP and timer events for up to `ms` milliseconds."""
        self.endpoint.libHandleEvents(ms)
        self.objects.sweep()  # pj objects other threads let go of: destroyed here

    def calls_from(self, source_ip: str) -> int:
        """Calls up now whose INVITE came from this address."""
        return sum(1 for leg in self.legs.values()
                   if not leg.ended and leg.source_ip == source_ip)

    def tick(self, now: float) -> None:
        """Timers of every leg."""
        for leg in list(self.legs.values()):
            leg.tick(now)

    def hangup_everything(self) -> None:
        """End every call pjsua holds, the facade's and any it no longer tracks."""
        if self.endpoint is not None:
            self.endpoint.hangupAllCalls()

    def retire(self, leg: CallLeg) -> None:
        """Forget a finished leg; its pjsua2 Call is deleted here, on the pj thread."""
        self.legs.pop(leg.call_id, None)

    def teardown(self, grace_s: float = 3.0) -> None:
        """Hang up, let the BYEs go out, delete every pj object, then libDestroy."""
        ep = self.endpoint
        if ep is None:
            return
        for leg in list(self.legs.values()):
            leg.hangup()
        deadline = time.monotonic() + grace_s
        while self.legs and time.monotonic() < deadline:
            ep.libHandleEvents(10)
        if self.legs:
            log.warning("%d calls did not end before shutdown", len(self.legs))
        for leg in list(self.legs.values()):
            leg.release()
        self.legs.clear()
        self.guard.stop()
        self.objects.destroy(self.account)
        self.account = None
        # Whatever is still alive (in a reference cycle, a traceback, a log record) is
        # destroyed now, here, and not by the collector later on some other thread.
        if survivors := self.objects.destroy_all():
            log.info("destroyed %d pjsua2 objects left alive at shutdown", survivors)
        ep.libDestroy()
        self.taps.abandon()  # a tap's destructor after libDestroy would abort the process
        self.objects.close()
        self.endpoint = None
        _destroy_endpoint(ep)
        self._release_endpoint()

    def _release_endpoint(self) -> None:
        with _endpoint_lock:
            if self in _endpoint_owner:
                _endpoint_owner.remove(self)

    def _endpoint_config(self) -> Any:
        cfg = pj.EpConfig()
        cfg.uaConfig.threadCnt = 0  # no pjsip worker: this thread polls libHandleEvents
        cfg.uaConfig.mainThreadOnly = True
        cfg.uaConfig.maxCalls = MAX_CALLS
        cfg.uaConfig.userAgent = "huifang"
        cfg.logConfig.level = self.config.log_level
        cfg.logConfig.consoleLevel = self.config.log_level
        cfg.medConfig.clockRate = self.config.clock_rate
        cfg.medConfig.sndClockRate = self.config.clock_rate
        cfg.medConfig.noVad = True  # silence suppression would look like a dead line
        cfg.medConfig.ecTailLen = 0  # no loudspeaker, no echo to cancel
        return cfg

    def _create_transports(self) -> tuple[int, tuple[str, ...]]:
        port = self.config.port
        names = tuple(self.config.transport.split("+"))
        for name in names:
            tc = pj.TransportConfig()
            tc.boundAddress = self.config.bind_address
            tc.port = port
            tid = self.endpoint.transportCreate(_TRANSPORT_TYPES[name], tc)
            # With port 0 the first transport picks one; the others share it.
            port = self.endpoint.transportGetInfo(tid).localName.rsplit(":", 1)[1]
            port = int(port)
        return port, names

    def _apply_codecs(self) -> None:
        available = [c.codecId for c in self.endpoint.codecEnum2()]
        for codec_id, priority in codec_priorities(available, self.config.codecs).items():
            self.endpoint.codecSetPriority(codec_id, priority)

    def _account_config(self, port: int) -> Any:
        cfg = pj.AccountConfig()
        host = self.config.bind_address
        if host in ("0.0.0.0", ""):
            host = "127.0.0.1"
        suffix = ";transport=tcp" if self.config.transport == "tcp" else ""
        cfg.idUri = f"sip:{self.config.user}@{host}:{port}{suffix}"
        rtp = cfg.mediaConfig.transportConfig
        rtp.port = self.config.rtp_port
        rtp.portRange = 10000
        if self.config.bind_address not in ("0.0.0.0", ""):
            rtp.boundAddress = self.config.bind_address
        if self.config.outbound_proxy:  # a Route on every call we place (not on answers)
            cfg.sipConfig.proxies.append(self.config.outbound_proxy)
        reg = self.config.registration
        if reg is not None:
            cfg.regConfig.registrarUri = reg.registrar
            cfg.regConfig.registerOnAdd = True
            cfg.sipConfig.authCreds.append(
                pj.AuthCredInfo("digest", reg.realm, reg.username, 0, reg.password))
        return cfg


def _destroy_endpoint(ep: Any) -> None:
    """Delete the Endpoint now, on the pj thread, after libDestroy; its proxy owns nothing."""
    if ep.this.own():
        type(ep).__swig_destroy__(ep)
