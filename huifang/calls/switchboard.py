"""The inbound line (`huifang serve`): takes every call the phone rings with, a few at once.

How many at once is the SIP layer's to decide (ivr.admission, from pjsua's own call slots):
a call whose task is still storing its last words no longer holds a line. Every INVITE the
SIP layer refuses is stored too (a flood of them from one source once a minute, all counted).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from huifang.calls.inbound import InboundCall, store_refusal, take_inbound_call
from huifang.calls.options import CallbackOptions
from huifang.calls.pipeline import CallPipeline
from huifang.prompt_audio.cache import PromptCache
from ivr.call import Call
from ivr.events import CallRefused, RefusalReason
from ivr.phone import Phone
from storage.database import Database

log = logging.getLogger(__name__)
SHUTDOWN_WAIT_S = 20.0  # for cut-off calls to decode their last words and be stored
# Refusals of a flood (a scan, a source over its limits) are stored once per source and
# window; a caller who found the lines busy is stored every time.
_FLOOD_REASONS = frozenset({RefusalReason.SOURCE_RATE, RefusalReason.SOURCE_NOT_ALLOWED})
FLOOD_WINDOW_S = 60.0


@dataclass(frozen=True)
class LineConfig:
    """How the line treats callers."""

    max_calls: int  # calls taken at once (the SIP layer refuses one more: 486 Busy Here)
    unknown_caller_prompt: str  # for a number no policy holds


class Switchboard:
    """Answers each incoming call with its caller's script; reports each call as it ends."""

    def __init__(self, phone: Phone, database: Database, pipeline: CallPipeline,
                 prompts: PromptCache,
                 options: CallbackOptions, line: LineConfig,
                 on_call: Callable[[InboundCall], None]) -> None:
        self.phone = phone
        self.database = database
        self.pipeline = pipeline
        self.prompts = prompts
        self.options = options
        self.line = line
        self.on_call = on_call
        self._active: set[asyncio.Task[None]] = set()  # calls being taken
        self._refusals: set[asyncio.Task[None]] = set()  # refusals being stored
        self._flood_seen: dict[tuple[str, RefusalReason], float] = {}

    async def serve(self, stop: asyncio.Event) -> None:
        """Take calls until `stop` is set; then hang up those still live and store them."""
        stopping = asyncio.create_task(stop.wait())
        refusals = asyncio.create_task(self._store_refusals())
        try:
            while not stop.is_set():
                incoming = asyncio.create_task(self.phone.next_incoming(timeout=3600.0))
                await asyncio.wait({incoming, stopping}, return_when=asyncio.FIRST_COMPLETED)
                if not incoming.done():
                    incoming.cancel()
                    break
                with contextlib.suppress(TimeoutError):
                    self._dispatch(incoming.result())
        finally:
            stopping.cancel()
            refusals.cancel()
            await self._end_all()

    def _dispatch(self, call: Call) -> None:
        coro = take_inbound_call(call, self.database, self.pipeline, self.prompts, self.options,
                                 self.line.unknown_caller_prompt,
                                 recordings_dir=self.phone.config.recordings_dir)
        self._start(self._active, coro, call)

    async def _store_refusals(self) -> None:
        """Store each refusal the SIP layer reports, as an inbound call that never began."""
        while True:
            with contextlib.suppress(TimeoutError):
                refusal = await self.phone.next_refusal(3600.0)
                log.warning("refused %s from %s: %d (%s)", refusal.sip_call_id, refusal.source,
                            refusal.status_code, refusal.reason)
                if self._store_this(refusal):
                    self._start(self._refusals, store_refusal(refusal, self.database))

    def _store_this(self, refusal: CallRefused) -> bool:
        if refusal.reason not in _FLOOD_REASONS:
            return True
        now = asyncio.get_running_loop().time()
        key = (refusal.source.rsplit(":", 1)[0], refusal.reason)
        if now - self._flood_seen.get(key, -FLOOD_WINDOW_S) < FLOOD_WINDOW_S:
            return False
        if len(self._flood_seen) > 10_000:  # a scan from everywhere: start afresh
            self._flood_seen.clear()
        self._flood_seen[key] = now
        return True

    def _start(self, tasks: set[asyncio.Task[None]], coro: Coroutine[Any, Any, InboundCall],
               call: Call | None = None) -> None:
        task = asyncio.create_task(self._run(coro, call))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    async def _run(self, coro: Coroutine[Any, Any, InboundCall], call: Call | None) -> None:
        """One call; a failure is logged and the call hung up, and the line keeps serving."""
        try:
            self.on_call(await coro)
        except Exception:
            log.exception("call %s failed", call.call_id if call else "refusal")
            if call is not None:
                with contextlib.suppress(Exception):
                    await call.hangup()

    async def _end_all(self) -> None:
        tasks = self._active | self._refusals
        with contextlib.suppress(TimeoutError):
            await self.phone.hangup_all()
        if tasks:
            await asyncio.wait(tasks, timeout=SHUTDOWN_WAIT_S)
        for task in tasks:
            task.cancel()
