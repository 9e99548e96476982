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


class CallGoneError(RuntimeError):
    """A command for a call whose pjsua2 objects are already gone."""


class DialError(RuntimeError):
    """pjsua2 refused to start a call (e.g. PJ_ETOOMANY: all call slots are in use)."""


class PjCall(pj.Call):  # type: ignore[misc]  # pjsua2 is untyped
    """pjsua2's call object: callbacks forward to the CallLeg and return.

    It holds its leg weakly: a reference cycle would leave the Call to Python's cyclic
    collector, which may run its destructor on any thread, and pjlib aborts on threads it
    does not know.
    """

    def __init__(self, account: Any, pj_call_id: int, leg: CallLeg) -> None:
        super().__init__(account, pj_call_id)
        self._leg = weakref.ref(leg)

    def onCallState(self, prm: Any) -> None:  # noqa: N802 - pjsua2's name
        """Read the state now: after DISCONNECTED returns, the call's info is gone."""
        if (leg := self._leg()) is None:
            return
        info = self.getInfo()
        connected = info.connectDuration.sec + info.connectDuration.msec / 1000
        leg.on_state(info.state, info.lastStatusCode, info.lastReason, connected)

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
        self.record_to: Path | None = None
        self.recorder: CallRecorder | None = None
        self.cause: EndCause | None = None
        self.answered = False
        self.ended = False
        self.status_code = 0
        self.reason = ""
        self._ring_deadline = time.monotonic() + ring_timeout_s
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
        """Answer (or send a provisional / error response to) an incoming call."""
        self._check_live()
        prm = pj.CallOpParam()
        prm.statusCode = status_code
        self.pj_call.answer(prm)

    def hangup(self, status_code: int = 0, cause: EndCause = EndCause.HANGUP) -> None:
        """End the call: BYE, CANCEL or an error response, whichever fits its state."""
        if self.ended or self.pj_call is None or self.pj_call.getId() < 0:
            return
        self.cause = self.cause or cause
        prm = pj.CallOpParam()
        prm.statusCode = status_code
        try:
            self.pj_call.hangup(prm)
        except pj.Error as err:  # already on its way out
            log.debug("hangup of %s: %s", self.call_id, err.info())

    def transfer(self, uri: str) -> None:
        """Hand the customer to `uri` with a REFER (blind transfer)."""
        self._check_live()
        self.pj_call.xfer(uri, pj.CallOpParam(True))

    def play(self, prompt_id: int, path: Path) -> None:
        """Play a WAV to the customer, replacing any prompt still playing."""
        self._check_live()
        self.stop_prompt(PromptEnd.STOPPED)
        player = PromptPlayer(prompt_id, path, self._eof_from_clock_thread)
        self._player = player
        self._connect_source(player)

    def stop_prompt(self, reason: PromptEnd = PromptEnd.STOPPED) -> None:
        """Stop the current prompt, if any."""
        player, self._player = self._player, None
        if player is None:
            return
        self._disconnect_source(player)
        self.ctx.post(self.listener.on_prompt_end, player.prompt_id, reason)

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
            # must be gone first: dropped here, it is deleted when pjsua2's callback returns.
            self.pj_call = None
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
        """Ring timeout before the answer, media timeout after it."""
        if self.ended:
            return
        if not self.answered and not self.inbound and now > self._ring_deadline:
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
        """Drop every pj object now, on the pj thread (never later, after libDestroy)."""
        self._player = None
        for source in list(self._sources):
            self._disconnect_source(source)
        self._return_taps()
        self._audio = None
        self.partner = None
        self.pj_call = None  # the last reference (a disconnected call dropped it in on_state)
        if self.recorder is not None:
            self.recorder.close()  # a no-op when _finish already closed it
