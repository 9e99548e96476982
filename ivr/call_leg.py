"""Everything pjsua2 about one call: SIP state, media wiring, prompts, taps, timers.

A CallLeg lives on the pj thread only. pjsua2 callbacks read what they must and defer the
rest to the pj thread's command queue; news for the asyncio side is posted to a listener.
"""

from __future__ import annotations

import contextlib
import logging
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pjsua2 as pj

from ivr.events import CallEnded, DtmfDigit, DtmfMethod, Leg
from ivr.frame_queue import FrameQueue
from ivr.media_tap import FrameSink, LegTap, TapPool
from ivr.outcome import EndCause, classify_call_end
from ivr.pj_owned import PjObjects, PjOwned
from ivr.pjsip_native import dialog_of_transaction, send_bye, terminate_dialog_session
from ivr.prompt import PromptEnd, PromptPlayer
from ivr.recorder import CallRecorder, RecorderCounters

log = logging.getLogger(__name__)

_DTMF_METHODS = {
    pj.PJSUA_DTMF_METHOD_RFC2833: DtmfMethod.RFC4733,
    pj.PJSUA_DTMF_METHOD_SIP_INFO: DtmfMethod.SIP_INFO,
}


@dataclass(frozen=True)
class MediaInfo:
    """The negotiated audio of a call."""

    codec: str  # e.g. "PCMU", "G722"
    codec_clock_rate: int  # the codec's RTP clock (G.722 says 8000 by RFC 3551's quirk)
    tap_sample_rate: int  # what taps and recordings carry


class CallListener(Protocol):
    """The asyncio side of a call; each method is invoked on the event loop."""

    def on_answered(self) -> None: ...
    def on_media(self, info: MediaInfo) -> None: ...
    def on_dtmf(self, digit: DtmfDigit) -> None: ...
    def on_prompt_end(self, prompt_id: int, reason: PromptEnd) -> None: ...
    def on_transfer_status(self, status_code: int, final: bool) -> None: ...
    def on_ended(self, ended: CallEnded, recorder: RecorderCounters | None) -> None: ...


@dataclass(frozen=True)
class LegContext:
    """What a leg needs from the stack around it."""

    account: Any
    defer: Callable[[Callable[[], None]], None]  # run on the pj thread, later
    post: Callable[..., object]  # run on the event loop (call_soon_threadsafe)
    retire: Callable[[CallLeg], None]  # the stack forgets the leg
    clock_rate: int
    media_timeout_s: float
    taps: TapPool
    objects: PjObjects
    ack_timeout_s: float = 4.0
    cancel_timeout_s: float = 4.0


class CallGoneError(RuntimeError):
    """A command for a call whose pjsua2 objects are already gone."""


class DialError(RuntimeError):
    """pjsua2 refused to start a call (e.g. PJ_ETOOMANY: all call slots are in use)."""


class PjCall(PjOwned, pj.Call):  # type: ignore[misc]  # pjsua2 is untyped
    """pjsua2's call object: callbacks forward to the CallLeg and return.

    It holds its leg weakly, so the two form no cycle; its leg destroys it on the pj thread.
    """

    def __init__(self, account: Any, pj_call_id: int, leg: CallLeg) -> None:
        super().__init__(account, pj_call_id)
        leg.ctx.objects.adopt(self)
        self._leg = weakref.ref(leg)

    def onCallState(self, prm: Any) -> None:  # noqa: N802 - pjsua2's name
        """Read the state now: after DISCONNECTED returns, the call's info is gone."""
        if (leg := self._leg()) is None:
            return
        info = self.getInfo()
        connected = info.connectDuration.sec + info.connectDuration.msec / 1000
        leg.on_state(info.state, info.lastStatusCode, info.lastReason, connected)

    def onCallTsxState(self, prm: Any) -> None:  # noqa: N802
        """Learn the call's dialog from its first transaction, to end it at once later."""
        if (leg := self._leg()) is not None and not leg.dialog:
            leg.dialog = dialog_of_transaction(prm.e.body.tsxState.tsx.pjTransaction)

    def onCallMediaState(self, prm: Any) -> None:  # noqa: N802
        """Media changed: rewire on the pj thread's next turn."""
        if (leg := self._leg()) is not None:
            leg.ctx.defer(leg.update_media)

    def onDtmfDigit(self, prm: Any) -> None:  # noqa: N802
        """A digit by RFC 4733 or SIP INFO."""
        if (leg := self._leg()) is not None:
            leg.on_dtmf(prm.digit, prm.method)

    def onCallTransferStatus(self, prm: Any) -> None:  # noqa: N802
        """Progress of a REFER we sent (the NOTIFY sipfrag)."""
        if (leg := self._leg()) is not None:
            leg.on_transfer_status(prm.statusCode, prm.finalNotify)


class CallLeg:
    """One call's pj objects and state; pj thread only."""

    def __init__(self, ctx: LegContext, call_id: str, listener: CallListener, *,
                 inbound: bool, pj_call_id: int = pj.PJSUA_INVALID_ID,
                 ring_timeout_s: float = 40.0) -> None:
        self.ctx = ctx
        self.call_id = call_id
        self.listener = listener
        self.inbound = inbound
        self.pj_call: Any = PjCall(ctx.account, pj_call_id, self)
        self.dialog = 0  # pjsip_dialog*, learnt from the first transaction
        self.sip_state = pj.PJSIP_INV_STATE_NULL
        self.source_ip = ""  # where an incoming INVITE came from
        self.offer_problem: str | None = None  # why its SDP offer is unusable, if it is
        self.record_to: Path | None = None
        self.recorder: CallRecorder | None = None
        self.cause: EndCause | None = None
        self.answered = False
        self.ended = False
        self.status_code = 0
        self.reason = ""
        self._ring_deadline = time.monotonic() + ring_timeout_s
        self._ack_deadline: float | None = None  # we sent 200; the caller must ACK by then
        self._cancel_deadline: float | None = None  # we sent CANCEL; the callee must end by then
        self._audio: Any = None
        self._audio_port = -1
        self._media_index = -1
        self._taps: dict[Leg, LegTap] = {}
        self._sinks: dict[Leg, list[FrameQueue]] = {leg: [] for leg in Leg}
        self._sources: list[Any] = []  # media transmitting to this call: player, partner
        self._player: PromptPlayer | None = None
        self.partner: CallLeg | None = None
        self._rx_packets = -1
        self._rx_changed_at = 0.0

    # --- commands (pj thread) ------------------------------------------------------------

    def _check_live(self) -> None:
        if self.pj_call is None or self.ended:
            raise CallGoneError(f"call {self.call_id} has ended")

    def dial(self, uri: str) -> None:
        """Send the INVITE; DialError (and the leg released) when pjsua2 refuses."""
        try:
            self.pj_call.makeCall(uri, pj.CallOpParam(True))
        except pj.Error as err:
            self.ended = True
            self.ctx.retire(self)
            self.release()
            raise DialError(f"cannot call {uri}: {err.reason}") from None

    def answer(self, status_code: int = 200) -> None:
        """Answer (or send a provisional / error response to) an incoming call.

        A 200 to an offer with no usable audio (an IPv6 or unresolvable address, no codec
        of ours: ivr.sdp_offer), or one pjsua cannot send, ends the call with 488 instead.
        """
        self._check_live()
        accepting = 200 <= status_code < 300
        if accepting and self.offer_problem:
            self._refuse_offer(self.offer_problem)
        prm = pj.CallOpParam()
        prm.statusCode = status_code
        try:
            self.pj_call.answer(prm)
        except pj.Error as err:
            if not accepting:
                raise
            self._refuse_offer(err.reason)
        if 200 <= status_code < 300 and not self.answered:
            self._ack_deadline = time.monotonic() + self.ctx.ack_timeout_s

    def _refuse_offer(self, problem: str) -> None:
        """488 for an offer we cannot use: the caller's doing, so CallGoneError, logged INFO."""
        log.info("call %s: %s: 488", self.call_id, problem)
        self.hangup(488, EndCause.UNUSABLE_OFFER)
        raise CallGoneError(f"call {self.call_id}: 488 Not Acceptable Here: {problem}")

    def hangup(self, status_code: int = 0, cause: EndCause = EndCause.HANGUP) -> None:
        """End the call: BYE, CANCEL or an error response, whichever fits its state.

        An answered call is ended at once, its slot freed: our BYE lives on in its own
        transaction whether or not the peer ever answers it, and a caller that has not
        ACKed our 200 gets no more time. Only a CANCEL waits for the callee's answer (a
        200 crossing it must still be ACKed and ended), up to cancel_timeout_s.
        """
        if self.ended or self.pj_call is None or self.pj_call.getId() < 0:
            return
        self.cause = self.cause or cause
        if (self.sip_state == pj.PJSIP_INV_STATE_CONNECTING and self.inbound
                and self.terminate(pj.PJSIP_SC_REQUEST_TIMEOUT)):
            return  # pjsip sends the BYE itself
        if (self.sip_state in (pj.PJSIP_INV_STATE_NULL, pj.PJSIP_INV_STATE_CALLING)
                and not self.inbound and self.terminate(pj.PJSIP_SC_REQUEST_TERMINATED)):
            # Nothing heard from the callee yet, so no CANCEL may be sent (RFC 3261 §9.1):
            # pjsua would report the end at once but hold the slot until its INVITE
            # transaction gives up (32 s). Ended here, the INVITE stops being resent.
            return
        if self.sip_state == pj.PJSIP_INV_STATE_CONFIRMED and send_bye(self.dialog, 200):
            # The BYE went out (a failed send may already have ended the call: then the
            # dialog is gone and must not be touched again).
            self.terminate(pj.PJSIP_SC_OK)
            return
        prm = pj.CallOpParam()
        prm.statusCode = status_code
        try:
            self.pj_call.hangup(prm)
        except pj.Error as err:  # already on its way out
            log.debug("hangup of %s: %s", self.call_id, err.info())
        if not self.ended and not self.inbound:
            self._cancel_deadline = time.monotonic() + self.ctx.cancel_timeout_s

    def terminate(self, status_code: int) -> bool:
        """End the INVITE session now: pjsua reports DISCONNECTED and frees the slot."""
        return not self.ended and terminate_dialog_session(self.dialog, status_code)

    def transfer(self, uri: str) -> None:
        """Hand the customer to `uri` with a REFER (blind transfer)."""
        self._check_live()
        self.pj_call.xfer(uri, pj.CallOpParam(True))

    def play(self, prompt_id: int, path: Path) -> None:
        """Play a WAV to the customer, replacing any prompt still playing."""
        self._check_live()
        self.stop_prompt(PromptEnd.STOPPED)
        player = PromptPlayer(prompt_id, path, self._eof_from_clock_thread, self.ctx.objects)
        self._player = player
        self._connect_source(player)

    def stop_prompt(self, reason: PromptEnd = PromptEnd.STOPPED) -> None:
        """Stop the current prompt, if any."""
        player, self._player = self._player, None
        if player is None:
            return
        self._disconnect_source(player)
        self.ctx.post(self.listener.on_prompt_end, player.prompt_id, reason)
        self.ctx.objects.destroy(player)

    def add_sink(self, leg: Leg, sink: FrameQueue) -> None:
        """Deliver this leg's frames to `sink` from now on; it is closed when the call ends."""
        if self.pj_call is None:
            sink.close()
            return
        self._sinks[leg].append(sink)
        if leg in self._taps:
            self._taps[leg].add_sink(sink)

    def bridge(self, other: CallLeg) -> None:
        """Each call hears the other; both recordings carry the other's voice as agent leg."""
        self._check_live()
        if self._audio is None or other._audio is None:
            raise RuntimeError("both calls need active audio before they can be bridged")
        self.partner, other.partner = other, self
        self._connect_source(other._audio)
        other._connect_source(self._audio)

    # --- events --------------------------------------------------------------------------

    def on_state(self, state: int, status_code: int, reason: str, connected_s: float) -> None:
        """SIP state change, straight from pjsua2's callback."""
        self.sip_state = state
        if status_code:
            self.status_code, self.reason = status_code, reason
        if state == pj.PJSIP_INV_STATE_CONFIRMED and not self.answered:
            self.answered = True
            self._rx_changed_at = time.monotonic()
            self.ctx.post(self.listener.on_answered)
        elif state == pj.PJSIP_INV_STATE_DISCONNECTED and not self.ended:
            self.ended = True
            # pjsua frees the call's slot as soon as this callback returns, and the next
            # command may dial into it. pjsua2's Call destructor acts on its slot number
            # (clears the slot's callbacks, hangs up whatever call holds it), so this Call
            # must be gone first: destroyed here (pjsua2 allows it in this callback).
            call, self.pj_call = self.pj_call, None
            self.ctx.objects.destroy(call)
            self.ctx.defer(lambda: self._finish(connected_s))

    def on_dtmf(self, digit: str, method: int) -> None:
        """A keypad digit: straight to the listener."""
        event = DtmfDigit(self.call_id, digit, _DTMF_METHODS.get(method, DtmfMethod.OTHER))
        self.ctx.post(self.listener.on_dtmf, event)

    def on_transfer_status(self, status_code: int, final: bool) -> None:
        """A 2xx final NOTIFY means the customer reached the transfer target."""
        self.ctx.post(self.listener.on_transfer_status, status_code, final)
        if final and 200 <= status_code < 300:
            self.ctx.defer(lambda: self.hangup(cause=EndCause.TRANSFERRED))

    def _eof_from_clock_thread(self, prompt_id: int) -> None:
        self.ctx.defer(lambda: self._prompt_finished(prompt_id))

    def _prompt_finished(self, prompt_id: int) -> None:
        if self._player is not None and self._player.prompt_id == prompt_id:
            self.stop_prompt(PromptEnd.FINISHED)

    # --- media ---------------------------------------------------------------------------

    def update_media(self) -> None:
        """Wire the active audio stream into the bridge: taps, recorder, sources."""
        if self.ended:
            return
        info = self.pj_call.getInfo()
        for index, media in enumerate(info.media):
            if media.type == pj.PJMEDIA_TYPE_AUDIO and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                self._attach_audio(index)
                return

    def _attach_audio(self, index: int) -> None:
        audio = self.pj_call.getAudioMedia(index)
        if audio.getPortId() == self._audio_port:
            return  # a re-INVITE that kept the same stream
        new_taps = not self._taps
        if new_taps:
            self._create_taps()
        self._audio, self._audio_port, self._media_index = audio, audio.getPortId(), index
        audio.startTransmit(self._taps[Leg.CUSTOMER])
        for source in self._sources:
            source.startTransmit(audio)
            if new_taps:
                source.startTransmit(self._taps[Leg.AGENT])
        stream = self.pj_call.getStreamInfo(index)
        self.ctx.post(self.listener.on_media,
                      MediaInfo(stream.codecName, stream.codecClockRate, self.ctx.clock_rate))

    def _create_taps(self) -> None:
        # Both taps start in the same pj turn, so their sample clocks agree.
        if self.record_to is not None:
            self.recorder = CallRecorder(self.record_to, self.ctx.clock_rate)
        for leg in Leg:
            tap = self.ctx.taps.lend(self.call_id, leg)
            sinks: list[FrameSink] = [self.recorder] if self.recorder else []
            for sink in [*sinks, *self._sinks[leg]]:
                tap.add_sink(sink)
            self._taps[leg] = tap

    def _connect_source(self, source: Any) -> None:
        # The agent tap hears exactly the mix the customer hears.
        self._sources.append(source)
        if self._audio is not None:
            source.startTransmit(self._audio)
            source.startTransmit(self._taps[Leg.AGENT])

    def _disconnect_source(self, source: Any) -> None:
        if source in self._sources:
            self._sources.remove(source)
        for sink in [self._audio, self._taps.get(Leg.AGENT)]:
            if sink is not None:
                with contextlib.suppress(pj.Error):  # the port already left the bridge
                    source.stopTransmit(sink)

    # --- timers --------------------------------------------------------------------------

    def tick(self, now: float) -> None:
        """Ring timeout before the answer, ACK and CANCEL timeouts, media timeout after."""
        if self.ended:
            return
        if self._cancel_deadline is not None and now > self._cancel_deadline:
            log.info("call %s: CANCEL unanswered: ended", self.call_id)
            self._cancel_deadline = None
            self.terminate(pj.PJSIP_SC_REQUEST_TIMEOUT)
        elif not self.answered and self._ack_deadline is not None and now > self._ack_deadline:
            log.info("call %s: our 200 was never ACKed: ended", self.call_id)
            self._ack_deadline = None
            self.cause = EndCause.NO_ACK
            if not self.terminate(pj.PJSIP_SC_REQUEST_TIMEOUT):
                self.hangup(cause=EndCause.NO_ACK)
        elif not self.answered and not self.inbound and now > self._ring_deadline:
            self.hangup(cause=EndCause.RING_TIMEOUT)
        elif self.answered and self._media_index >= 0:
            self._check_rtp(now)

    def _check_rtp(self, now: float) -> None:
        packets = self.pj_call.getStreamStat(self._media_index).rtcp.rxStat.pkt
        if packets != self._rx_packets:
            self._rx_packets, self._rx_changed_at = packets, now
        elif now - self._rx_changed_at > self.ctx.media_timeout_s:
            log.info("call %s: no RTP for %.1f s", self.call_id, now - self._rx_changed_at)
            self.hangup(cause=EndCause.MEDIA_TIMEOUT)

    # --- the end -------------------------------------------------------------------------

    def _finish(self, connected_s: float) -> None:
        """Tear down media, close the recording, report the outcome, forget the call."""
        self.stop_prompt(PromptEnd.CALL_ENDED)
        partner, self.partner = self.partner, None
        if partner is not None and self._audio is not None:
            partner.partner = None
            partner._disconnect_source(self._audio)
        for source in list(self._sources):
            self._disconnect_source(source)
        self._return_taps()  # unbound first...
        self._audio = None
        if self.recorder is not None:
            self.recorder.close()  # ...so the sentinel is the last thing the writer gets
        for queues in self._sinks.values():
            for frame_queue in queues:
                frame_queue.close()
        outcome = classify_call_end(answered=self.answered, status_code=self.status_code,
                                    cause=self.cause, inbound=self.inbound)
        ended = CallEnded(self.call_id, outcome, self.status_code, self.reason, self.answered,
                          connected_s, str(self.record_to) if self.recorder else None)
        counters = self.recorder.counters if self.recorder else None
        self.ctx.post(self.listener.on_ended, ended, counters)
        self.ctx.retire(self)
        self.release()

    def _return_taps(self) -> None:
        # A lent tap goes to another call next: nothing of this one may still reach it.
        # (pjsua2 2.15's ConfPortInfo.listeners is garbage, so the bridge cannot be asked.)
        customer_tap = self._taps.get(Leg.CUSTOMER)
        if self._audio is not None and customer_tap is not None:
            with contextlib.suppress(pj.Error):
                self._audio.stopTransmit(customer_tap)
        for tap in self._taps.values():
            self.ctx.taps.take_back(tap)
        self._taps.clear()

    def release(self) -> None:
        """Destroy every pj object now, on the pj thread (never later, after libDestroy)."""
        player, self._player = self._player, None
        for source in list(self._sources):
            self._disconnect_source(source)
        self.ctx.objects.destroy(player)
        self._return_taps()
        self._audio = None
        self.partner = None
        call, self.pj_call = self.pj_call, None  # None already when it ended (on_state)
        self.ctx.objects.destroy(call)
        if self.recorder is not None:
            self.recorder.close()  # a no-op when _finish already closed it
