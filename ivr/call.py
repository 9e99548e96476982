"""The asyncio handle of one call: answer, prompts, DTMF, taps, transfer, hang-up, outcome."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ivr.call_leg import CallGoneError, CallLeg, MediaInfo
from ivr.events import CallEnded, DtmfDigit, Leg
from ivr.frame_queue import FrameQueue, QueueCounters
from ivr.pj_thread import PjThread
from ivr.prompt import Prompt, PromptEnd
from ivr.recorder import RecorderCounters

T = TypeVar("T")
COMMAND_TIMEOUT_S = 5.0


class CallEndedError(RuntimeError):
    """A command for a call that has already ended."""


class Call:
    """One call as the event loop sees it; every pj operation goes through the pj thread."""

    _prompt_ids = itertools.count(1)

    def __init__(self, pj_thread: PjThread, loop: asyncio.AbstractEventLoop, call_id: str,
                 remote_uri: str, *, inbound: bool, tap_queue_frames: int) -> None:
        self.call_id = call_id
        self.remote_uri = remote_uri
        self.inbound = inbound
        self.leg: CallLeg | None = None  # set by Phone; used only inside pj-thread closures
        self.media: MediaInfo | None = None
        self.recorder_counters: RecorderCounters | None = None
        self.transfer_status: int = 0
        self._pj = pj_thread
        self._loop = loop
        self._tap_queue_frames = tap_queue_frames
        # Futures made here may be made off the loop thread; they are only *used* on it.
        self._answered: asyncio.Future[bool] = loop.create_future()
        self._media_ready: asyncio.Future[MediaInfo] = loop.create_future()
        self._ended: asyncio.Future[CallEnded] = loop.create_future()
        self._dtmf: asyncio.Queue[DtmfDigit] = asyncio.Queue()
        self._prompts: dict[int, asyncio.Future[PromptEnd]] = {}
        self._taps: list[FrameQueue] = []

    # --- commands ------------------------------------------------------------------------

    async def answer(self, status_code: int = 200, record_to: Path | None = None) -> None:
        """Answer an incoming call (or reply with `status_code`, e.g. 486 busy)."""
        leg = self._live_leg()

        def run() -> None:
            if record_to is not None:
                leg.record_to = record_to
            leg.answer(status_code)

        await self._run(run)

    async def record_to(self, path: Path) -> None:
        """Record this call to `path` instead (before it is answered: the file opens then)."""
        leg = self._live_leg()

        def run() -> None:
            if leg.recorder is None:
                leg.record_to = path

        await self._run(run)

    async def play(self, wav: Path) -> Prompt:
        """Start playing a WAV prompt to the customer; await `Prompt.wait` for its end."""
        leg = self._live_leg()
        prompt_id = next(self._prompt_ids)
        ended: asyncio.Future[PromptEnd] = self._loop.create_future()
        self._prompts[prompt_id] = ended
        await self._run(lambda: leg.play(prompt_id, wav))
        return Prompt(prompt_id, wav, ended)

    async def stop_prompt(self) -> None:
        """Stop the prompt now playing (barge-in)."""
        leg = self.leg
        if leg is not None and not self.ended:
            await self._run(leg.stop_prompt)

    async def hangup(self, status_code: int = 0) -> None:
        """End the call; 0 lets pjsua2 pick BYE, CANCEL or a 603 as the state requires."""
        leg = self.leg
        if leg is not None and not self.ended:
            await self._run(lambda: leg.hangup(status_code))

    async def transfer(self, uri: str) -> None:
        """Blind transfer (REFER) to `uri`; the call ends as TRANSFERRED once it succeeds."""
        leg = self._live_leg()
        await self._run(lambda: leg.transfer(uri))

    def tap(self, leg: Leg, max_frames: int | None = None) -> FrameQueue:
        """A bounded queue of this call's `leg` frames (16 kHz PCM16); closed at the call end."""
        frames = FrameQueue(self._loop, max_frames or self._tap_queue_frames)
        self._taps.append(frames)
        call_leg = self.leg
        if call_leg is None or self.ended:
            frames.close()
        else:
            self._pj.defer(lambda: call_leg.add_sink(leg, frames))
        return frames

    # --- waiting -------------------------------------------------------------------------

    async def wait_answered(self, timeout: float) -> bool:
        """True once answered; False when the call ended unanswered."""
        return await asyncio.wait_for(asyncio.shield(self._answered), timeout)

    async def wait_media(self, timeout: float) -> MediaInfo:
        """The negotiated codec once audio flows."""
        return await asyncio.wait_for(asyncio.shield(self._media_ready), timeout)

    async def wait_ended(self, timeout: float) -> CallEnded:
        """How the call ended."""
        return await asyncio.wait_for(asyncio.shield(self._ended), timeout)

    async def next_dtmf(self, timeout: float) -> DtmfDigit | None:
        """The next keypad digit, or None after `timeout` seconds or when the call ends."""
        waiters: list[asyncio.Future[object]] = [asyncio.ensure_future(self._dtmf.get()),
                                                 asyncio.shield(self._ended)]
        done, _ = await asyncio.wait(waiters, timeout=timeout,
                                     return_when=asyncio.FIRST_COMPLETED)
        getter = waiters[0]
        if getter in done:
            result = getter.result()
            assert isinstance(result, DtmfDigit)
            return result
        getter.cancel()
        return None

    async def collect_dtmf(self, max_digits: int, timeout: float, terminator: str = "#") -> str:
        """Up to `max_digits` digits (the terminator ends early and is not kept)."""
        digits = ""
        deadline = self._loop.time() + timeout
        while len(digits) < max_digits:
            event = await self.next_dtmf(max(0.0, deadline - self._loop.time()))
            if event is None or event.digit == terminator:
                break
            digits += event.digit
        return digits

    @property
    def ended(self) -> bool:
        """True once the call has ended."""
        return self._ended.done()

    def on_end(self, callback: Callable[[], None]) -> None:
        """Run `callback` on the loop once the call has ended."""
        self._ended.add_done_callback(lambda _: callback())

    def tap_counters(self) -> list[QueueCounters]:
        """Counters of every tap queue of this call."""
        return [frames.counters for frames in self._taps]

    # --- listener: called on the event loop by the pj thread -----------------------------

    def on_answered(self) -> None:
        """The call is answered (CONFIRMED)."""
        _resolve(self._answered, True)

    def on_media(self, info: MediaInfo) -> None:
        """Audio is flowing with this codec."""
        self.media = info
        _resolve(self._media_ready, info)

    def on_dtmf(self, digit: DtmfDigit) -> None:
        """A digit arrived."""
        self._dtmf.put_nowait(digit)

    def on_prompt_end(self, prompt_id: int, reason: PromptEnd) -> None:
        """A prompt stopped."""
        future = self._prompts.pop(prompt_id, None)
        if future is not None:
            _resolve(future, reason)

    def on_transfer_status(self, status_code: int, final: bool) -> None:
        """Progress of our REFER."""
        self.transfer_status = status_code

    def on_ended(self, ended: CallEnded, recorder: RecorderCounters | None) -> None:
        """The call is over."""
        self.recorder_counters = recorder
        _resolve(self._answered, False)
        for prompt_id in list(self._prompts):
            self.on_prompt_end(prompt_id, PromptEnd.CALL_ENDED)
        _resolve(self._ended, ended)

    # --- plumbing ------------------------------------------------------------------------

    def _live_leg(self) -> CallLeg:
        if self.leg is None or self.ended:
            raise CallEndedError(f"call {self.call_id} has ended")
        return self.leg

    async def _run(self, fn: Callable[[], T]) -> T:
        try:
            return await asyncio.wait_for(asyncio.wrap_future(self._pj.submit(fn)),
                                          COMMAND_TIMEOUT_S)
        except CallGoneError as err:
            # The call ended between our check and the pj thread running the command: to
            # the caller that is the same as a command on an ended call.
            raise CallEndedError(str(err)) from err


def _resolve(future: asyncio.Future[T], value: T) -> None:
    if not future.done():
        future.set_result(value)
