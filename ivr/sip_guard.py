"""Two pjsip modules around pjsua: a screen before it and an answer for what it leaves unanswered.

The screen (after the transaction layer, so retransmissions are absorbed there, before the
dialog layer and pjsua) answers 483 to a request whose Max-Forwards is 0, 400 to one whose
body is shorter than its Content-Length over UDP or whose CSeq names another method, and
applies the admission policy to every new INVITE (lines, allow-list, per-source limits):
a refused INVITE never takes a pjsua call slot. The fallback (after pjsua) answers whatever
nobody handled: 481 for what only makes sense in a dialog, 405 with Allow for a method we
do not take outside one, 501 for a method we do not know. ACKs are never answered.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from ivr.admission import Admission, AdmissionPolicy, Refusal
from ivr.events import CallRefused
from ivr.pjsip_native import NativeModule, Responder, RxMessage, RxReader, call_count
from ivr.sip_request import DIALOG_METHODS, KNOWN_METHODS, SipRequest, parse_request

log = logging.getLogger(__name__)

# pjsip_module_priority (sip_module.h; not in pjsua2's wrapper): transaction layer 16, UA
# layer (dialogs) 32, application 64 (pjsua's own modules).
_SCREEN_PRIORITY = 32 - 1
_FALLBACK_PRIORITY = 64 + 32
_HANDLED, _PASS = 1, 0


@dataclass(frozen=True)
class GuardHooks:
    """What the guard asks of the stack around it."""

    calls_from: Callable[[str], int]  # live calls from this source address
    refused: Callable[[CallRefused], None]  # an INVITE was refused (pj thread)
    clock: Callable[[], float] = time.monotonic


class SipGuard:
    """The screen and the fallback module, and counts of every answer they gave."""

    def __init__(self, admission: Admission, hooks: GuardHooks) -> None:
        self.admission = admission
        self.hooks = hooks
        self.answered: Counter[int] = Counter()  # status code -> requests answered so
        self._reader = RxReader()
        self._responder: Responder | None = None
        self._modules = (NativeModule("mod-huifang-screen", _SCREEN_PRIORITY, self._screen),
                         NativeModule("mod-huifang-fallback", _FALLBACK_PRIORITY,
                                      self._fallback))

    def set_policy(self, policy: AdmissionPolicy) -> None:
        """New limits from the next INVITE on (pj thread); rate buckets start afresh."""
        self.admission = Admission(policy)

    def start(self) -> None:
        """Register both modules with the running endpoint (pj thread, after libStart)."""
        self._responder = Responder()
        for module in self._modules:
            module.register()

    def stop(self) -> None:
        """Unregister (pj thread, before libDestroy)."""
        for module in self._modules:
            module.unregister()
        if self._responder is not None:
            self._responder.close()
            self._responder = None

    @property
    def reads_requests(self) -> bool:
        """False once pjsip's rx layout failed its check: then every request passes unread."""
        return not self._reader.unusable

    # --- the modules' callbacks: pj thread, inside pjsip; an exception must not escape ---

    def _screen(self, rdata: int) -> int:
        try:
            return self._screen_request(rdata)
        except Exception:
            log.exception("SIP screen: request passed on unscreened")
            return _PASS

    def _fallback(self, rdata: int) -> int:
        try:
            return self._answer_unhandled(rdata)
        except Exception:
            log.exception("SIP fallback: request left unanswered")
            return _PASS

    def _screen_request(self, rdata: int) -> int:
        read = self._read(rdata)
        if read is None:
            return _PASS
        message, request = read
        if request.method == "ACK":
            return _PASS
        if request.max_forwards == 0:
            return self._stateless(rdata, 483)
        if request.body_truncated or request.cseq_mismatch:
            return self._stateless(rdata, 400)
        if request.method == "INVITE" and not request.in_dialog:
            return self._admit(rdata, message, request)
        return _PASS

    def _admit(self, rdata: int, message: RxMessage, request: SipRequest) -> int:
        refusal = self.admission.decide(message.source_ip, self.hooks.clock(), call_count(),
                                        self.hooks.calls_from(message.source_ip))
        if refusal is None:
            return _PASS
        self._refuse(rdata, refusal)
        self.hooks.refused(CallRefused(f"{message.source_ip}:{message.source_port}",
                                       request.caller, request.sip_call_id,
                                       refusal.status_code, refusal.reason))
        return _HANDLED

    def _refuse(self, rdata: int, refusal: Refusal) -> None:
        assert self._responder is not None
        if refusal.stateless:
            self._responder.stateless(rdata, refusal.status_code,
                                      retry_after=refusal.status_code == 503)
        else:
            self._responder.stateful(rdata, refusal.status_code)
        self.answered[refusal.status_code] += 1

    def _answer_unhandled(self, rdata: int) -> int:
        read = self._read(rdata)
        if read is None:
            return _PASS
        request = read[1]
        if request.method == "ACK":
            return _HANDLED  # an ACK nobody wanted: dropped, as RFC 3261 says, and quietly
        if request.in_dialog or request.method in DIALOG_METHODS:
            return self._stateless(rdata, 481)
        if request.method in KNOWN_METHODS:
            return self._stateless(rdata, 405, allow=True)
        return self._stateless(rdata, 501)

    def _read(self, rdata: int) -> tuple[RxMessage, SipRequest] | None:
        message = self._reader.read(rdata)
        if message is None:
            return None
        request = parse_request(message.text)
        return None if request is None else (message, request)

    def _stateless(self, rdata: int, status_code: int, *, allow: bool = False) -> int:
        assert self._responder is not None
        self._responder.stateless(rdata, status_code, allow=allow)
        self.answered[status_code] += 1
        return _HANDLED
