"""An automated callback whose every event also goes to the live screen, and whose 转人工
bridges the customer to a free agent's softphone instead of transferring the call away,
so the agent sees the call's history and huifang keeps listening to both legs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from asr.engines import Engine
from huifang.callback.call_port import CallPort
from huifang.callback.events import SessionEvent
from huifang.callback.options import CallbackOptions
from huifang.callback.session import CallbackSession
from huifang.live.call_feed import LiveCallFeed
from huifang.prompt_audio.cache import PromptCache
from scripts_zh.dialogue import CallbackDialogue

HandOver = Callable[[], Awaitable[bool]]


class AssistedCallbackSession(CallbackSession):
    """CallbackSession + a live feed + hand-over to a human on the same call."""

    def __init__(self, call: CallPort, dialogue: CallbackDialogue, engine: Engine,
                 prompts: PromptCache, options: CallbackOptions, *, feed: LiveCallFeed,
                 hand_over: HandOver) -> None:
        super().__init__(call, dialogue, engine, prompts, options)
        self._feed = feed
        self._hand_over = hand_over
        self._handed_over = False

    def _record(self, event: SessionEvent) -> None:
        """Record as the session does, and show it (the recorded copy: VAD audio dropped)."""
        super()._record(event)
        self._feed.on_session_event(self.events[-1])

    async def _leave(self) -> None:
        """On 转人工, bridge to a free agent and listen on until the call ends; else as usual."""
        if self._handed_over:
            return  # asked again once the agent is on: the call is theirs now
        if self._transfer is not None and await self._hand_over():
            self._handed_over = True
            return  # the call goes on with the agent; the session ends when it does
        await super()._leave()
