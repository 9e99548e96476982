"""Prompt playback from WAV files: the pj-side player and the asyncio-side handle."""

from __future__ import annotations

import asyncio
import inspect
import logging
import traceback
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import pjsua2 as pj

from ivr.pj_owned import PjObjects, PjOwned

log = logging.getLogger(__name__)


class PromptEnd(StrEnum):
    """Why a prompt stopped playing."""

    FINISHED = "finished"  # played to the end of the file
    STOPPED = "stopped"  # stop_prompt(), barge-in, or replaced by the next prompt
    CALL_ENDED = "call_ended"  # the call ended first (e.g. the customer hung up mid-prompt)


class PromptPlayer(PjOwned, pj.AudioMediaPlayer):  # type: ignore[misc]  # pjsua2 is untyped
    """A WAV player that reports its end of file; created and destroyed on the pj thread.

    A bound `on_eof` is held weakly, so the player and its call form no cycle.
    """

    def __init__(self, prompt_id: int, path: Path, on_eof: Callable[[int], None],
                 objects: PjObjects) -> None:
        super().__init__()
        objects.adopt(self)
        self.prompt_id = prompt_id
        self._on_eof: Callable[[], Callable[[int], None] | None] = (
            weakref.WeakMethod(on_eof) if inspect.ismethod(on_eof) else lambda: on_eof)
        self.createPlayer(str(path), pj.PJMEDIA_FILE_NO_LOOP)

    def onEof2(self) -> None:  # noqa: N802 - pjsua2's name
        """Runs on pjmedia's clock thread: only report; the pj thread removes the player."""
        try:
            if (report := self._on_eof()) is not None:
                report(self.prompt_id)
        except Exception:  # never let an exception travel back into pjmedia's C code
            log.error("end of prompt %d not reported:\n%s", self.prompt_id,
                      traceback.format_exc())  # text: a kept traceback would keep the player


@dataclass(frozen=True)
class Prompt:
    """A prompt being played on a call."""

    prompt_id: int
    path: Path
    ended: asyncio.Future[PromptEnd]

    async def wait(self, timeout: float) -> PromptEnd:
        """Wait until the prompt ends; asyncio.TimeoutError after `timeout` seconds."""
        return await asyncio.wait_for(asyncio.shield(self.ended), timeout)

    def done(self) -> bool:
        """True once the prompt has stopped for any reason."""
        return self.ended.done()
