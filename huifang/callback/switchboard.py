"""The inbound line (`huifang serve`): takes every call the phone rings with, a few at once."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from asr.engines import Engine
from huifang.callback.inbound import InboundCall, reject_busy, take_inbound_call
from huifang.callback.options import CallbackOptions
from huifang.prompt_audio.cache import PromptCache
from ivr.call import Call
from ivr.phone import Phone
from storage.database import Database

log = logging.getLogger(__name__)
SHUTDOWN_WAIT_S = 20.0  # for cut-off calls to decode their last words and be stored


@dataclass(frozen=True)
class LineConfig:
    """How the line treats callers."""

    max_calls: int  # calls taken at once; one more hears 486 Busy Here
    unknown_caller_prompt: str  # for a number no policy holds


class Switchboard:
    """Answers each incoming call with its caller's script; reports each call as it ends."""

    def __init__(self, phone: Phone, database: Database, engine: Engine, prompts: PromptCache,
                 options: CallbackOptions, line: LineConfig,
                 on_call: Callable[[InboundCall], None]) -> None:
        self.phone = phone
        self.database = database
        self.engine = engine
        self.prompts = prompts
        self.options = options
        self.line = line
        self.on_call = on_call
        self._active: set[asyncio.Task[None]] = set()  # calls being taken
        self._refusals: set[asyncio.Task[None]] = set()  # calls being told 486

    async def serve(self, stop: asyncio.Event) -> None:
        """Take calls until `stop` is set; then hang up those still live and store them."""
        stopping = asyncio.create_task(stop.wait())
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
            await self._end_all()

    def _dispatch(self, call: Call) -> None:
        if len(self._active) >= self.line.max_calls:
            log.warning("all %d lines busy: %s gets 486", self.line.max_calls, call.call_id)
            coro = reject_busy(call, self.database, self.options)
            self._start(self._refusals, call, coro)
            return
        coro = take_inbound_call(call, self.database, self.engine, self.prompts, self.options,
                                 self.line.unknown_caller_prompt)
        self._start(self._active, call, coro)

    def _start(self, tasks: set[asyncio.Task[None]], call: Call,
               coro: Coroutine[Any, Any, InboundCall]) -> None:
        task = asyncio.create_task(self._run(call, coro))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    async def _run(self, call: Call, coro: Coroutine[Any, Any, InboundCall]) -> None:
        """One call; a failure is logged and the call hung up, and the line keeps serving."""
        try:
            self.on_call(await coro)
        except Exception:
            log.exception("call %s from %s failed", call.call_id, call.remote_uri)
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
