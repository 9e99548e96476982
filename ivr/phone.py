"""The asyncio facade of the SIP endpoint: start, place and take calls, bridge, stop."""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from ivr.admission import AdmissionPolicy
from ivr.call import Call
from ivr.call_leg import CallLeg, DialError, LegContext
from ivr.config import SipConfig
from ivr.events import CallRefused, RefusalReason
from ivr.pj_thread import PjThread
from ivr.pjsip_native import call_count
from ivr.sdp_offer import offer_problem
from ivr.stack import SipStack, StackInfo
from ivr.wav_stream import recover_recordings

log = logging.getLogger(__name__)
T = TypeVar("T")
REFUSAL_QUEUE = 1000  # refusals waiting to be stored; beyond, counted only (a flood)


@dataclass(frozen=True)
class AudioCounters:
    """Audio frames that did not reach their consumer, across every call so far."""

    tap_frames: int
    tap_dropped: int
    recorder_frames: int
    recorder_dropped: int
    recorder_late: int


class Phone:
    """One SIP endpoint (pjsua2 allows one per process) driven from an asyncio loop."""

    def __init__(self, config: SipConfig) -> None:
        self.config = config
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stack = SipStack(config, self._incoming_on_pj_thread, self._refused_on_pj_thread)
        self._pj = PjThread(self._stack.setup, self._stack.poll, self._stack.teardown,
                            self._stack.tick, poll_ms=config.poll_ms)
        self._incoming: asyncio.Queue[Call] = asyncio.Queue()
        self._refusals: asyncio.Queue[CallRefused] = asyncio.Queue(REFUSAL_QUEUE)
        self.refused: Counter[RefusalReason] = Counter()  # every refusal, stored or not
        self.refusals_unqueued = 0  # refusals counted but not queued: the queue was full
        self._calls: dict[str, Call] = {}
        self._ids = itertools.count(1)
        self._totals = [0, 0, 0, 0, 0]
        self.info: StackInfo | None = None
        self.recovered: list[Path] = []

    async def start(self) -> StackInfo:
        """Repair recordings a killed process left behind, then start the pj thread."""
        self._loop = asyncio.get_running_loop()
        if self.config.recordings_dir is not None:
            self.recovered = recover_recordings(self.config.recordings_dir)
        info: StackInfo = await self._loop.run_in_executor(None, self._pj.start)
        self.info = info
        return info

    async def stop(self) -> None:
        """Hang up every call and destroy the endpoint (on its own thread)."""
        await asyncio.get_running_loop().run_in_executor(None, self._pj.stop)

    async def __aenter__(self) -> Phone:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        await self.stop()

    @property
    def local_port(self) -> int:
        """The SIP port in use (useful when configured as 0)."""
        assert self.info is not None, "Phone.start() first"
        return self.info.port

    def uri(self, user: str | None = None) -> str:
        """A SIP URI that reaches this endpoint."""
        assert self.info is not None, "Phone.start() first"
        host = self.info.address if self.info.address not in ("0.0.0.0", "") else "127.0.0.1"
        return f"sip:{user or self.config.user}@{host}:{self.info.port}"

    async def place_call(self, uri: str, *, record_to: Path | None = None,
                         ring_timeout_s: float | None = None) -> Call:
        """Send an INVITE to `uri`, recorded to `record_to` (or recordings_dir).

        DialError when pjsua2 refuses at once, e.g. when all MAX_CALLS slots are busy.
        """
        loop = self._require_loop()
        call = self._new_call(loop, uri, inbound=False)
        record = record_to or self._default_recording(call.call_id)
        ring = ring_timeout_s or self.config.ring_timeout_s

        def dial() -> None:
            leg = CallLeg(self._leg_context(), call.call_id, call, inbound=False,
                          ring_timeout_s=ring)
            leg.record_to = record
            call.leg = leg
            self._stack.legs[call.call_id] = leg
            leg.dial(uri)

        try:
            await self._run(dial)
        except DialError:
            self._calls.pop(call.call_id, None)
            raise
        return call

    async def next_incoming(self, timeout: float) -> Call:
        """The next incoming call (already ringing: 180 sent); asyncio.TimeoutError if none."""
        return await asyncio.wait_for(self._incoming.get(), timeout)

    async def next_refusal(self, timeout: float) -> CallRefused:
        """The next INVITE refused before it became a call; asyncio.TimeoutError if none."""
        return await asyncio.wait_for(self._refusals.get(), timeout)

    async def lines_in_use(self) -> int:
        """Calls pjsua holds a slot for now: its own count, so a call we ended but pjsua
        still held would show here (the admission of new INVITEs counts the same)."""
        return await self._run(call_count)

    async def set_admission(self, policy: AdmissionPolicy) -> None:
        """Apply new limits to the next INVITEs (e.g. after the allow-list changed)."""
        await self._run(lambda: self._stack.guard.set_policy(policy))

    @property
    def guard_reads_requests(self) -> bool:
        """False when pjsip's received-message layout did not check out (another pjsua2
        build): the guard then lets every request pass unscreened, and says so once."""
        return self._stack.guard.reads_requests

    async def answered_requests(self) -> dict[int, int]:
        """Requests the SIP guard answered itself, by status code (483, 400, 405, 481 …)."""
        return await self._run(lambda: dict(self._stack.guard.answered))

    async def bridge(self, a: Call, b: Call) -> None:
        """Connect two answered calls' audio both ways (e.g. customer and human agent)."""
        leg_a, leg_b = a.leg, b.leg
        if leg_a is None or leg_b is None:
            raise RuntimeError("both calls must be set up before bridging")
        await self._run(lambda: leg_a.bridge(leg_b))

    async def hangup_all(self, timeout: float = 5.0) -> None:
        """Hang up every live call and wait (up to `timeout`) until they have ended."""
        calls = list(self._calls.values())
        for call in calls:
            await call.hangup()
        # Also every call pjsua itself still holds (e.g. an inbound INVITE still ringing whose
        # caller vanished without a CANCEL): such a call would keep one of the few slots.
        await self._run(self._stack.hangup_everything)
        await asyncio.wait_for(asyncio.gather(*(c.wait_ended(timeout) for c in calls)), timeout)

    async def registration_code(self) -> int:
        """The registrar's last answer to our REGISTER (200 registered, 0 not tried)."""
        return await self._run(lambda: self._stack.account.registration_code
                               if self._stack.account else 0)

    async def tap_ports(self) -> int:
        """Bridge ports the taps hold: lent and reused, so at most two per concurrent call."""
        return await self._run(lambda: self._stack.taps.size)

    def counters(self) -> AudioCounters:
        """Frames offered to taps and recorders, and those dropped, over all calls."""
        totals = list(self._totals)
        for call in self._calls.values():
            self._add_call_counters(totals, call)
        return AudioCounters(*totals)

    # --- pj thread side ------------------------------------------------------------------

    def _incoming_on_pj_thread(self, stack: SipStack, pj_call_id: int, source: str,
                               invite: str) -> None:
        loop = self._require_loop()
        call = self._new_call(loop, "", inbound=True)
        leg = CallLeg(self._leg_context(), call.call_id, call, inbound=True,
                      pj_call_id=pj_call_id)
        leg.source_ip = source.rsplit(":", 1)[0].strip("[]")
        leg.offer_problem = offer_problem(invite, self.config.codecs)
        leg.record_to = self._default_recording(call.call_id)
        call.leg = leg
        stack.legs[call.call_id] = leg
        call.remote_uri = leg.pj_call.getInfo().remoteUri
        # Ringing at once, inside pjsua's callback: deferred, a CANCEL processed in the
        # same turn would find the 180 answering a dialog already gone.
        leg.answer(180)
        loop.call_soon_threadsafe(self._incoming.put_nowait, call)

    def _refused_on_pj_thread(self, refusal: CallRefused) -> None:
        self.refused[refusal.reason] += 1
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._queue_refusal, refusal)

    def _queue_refusal(self, refusal: CallRefused) -> None:
        try:
            self._refusals.put_nowait(refusal)
        except asyncio.QueueFull:
            self.refusals_unqueued += 1

    def _leg_context(self) -> LegContext:
        loop = self._require_loop()
        return LegContext(self._stack.account, self._pj.defer, loop.call_soon_threadsafe,
                          self._stack.retire, self.config.clock_rate,
                          self.config.media_timeout_s, self._stack.taps, self._stack.objects,
                          self.config.ack_timeout_s, self.config.cancel_timeout_s)

    # --- plumbing ------------------------------------------------------------------------

    def _new_call(self, loop: asyncio.AbstractEventLoop, uri: str, *, inbound: bool) -> Call:
        call_id = f"hf{os.getpid()}-{next(self._ids)}"
        call = Call(self._pj, loop, call_id, uri, inbound=inbound,
                    tap_queue_frames=self.config.tap_queue_frames)
        self._calls[call_id] = call
        call.on_end(lambda: self._forget(call))
        return call

    def _forget(self, call: Call) -> None:
        self._add_call_counters(self._totals, call)
        self._calls.pop(call.call_id, None)

    @staticmethod
    def _add_call_counters(totals: list[int], call: Call) -> None:
        for counters in call.tap_counters():
            totals[0] += counters.offered
            totals[1] += counters.dropped
        if call.recorder_counters is not None:
            totals[2] += call.recorder_counters.accepted + call.recorder_counters.dropped
            totals[3] += call.recorder_counters.dropped
            totals[4] += call.recorder_counters.late

    def _default_recording(self, call_id: str) -> Path | None:
        directory = self.config.recordings_dir
        return directory / f"{call_id}.wav" if directory is not None else None

    def _require_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            raise RuntimeError("Phone.start() first")
        return self._loop

    async def _run(self, fn: Callable[[], T]) -> T:
        return await asyncio.wait_for(asyncio.wrap_future(self._pj.submit(fn)), 5.0)
