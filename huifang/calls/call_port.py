"""What a callback session needs of a call: ivr's Call offers it; tests offer a fake."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from ivr.events import CallEnded, DtmfDigit, Leg
from ivr.frame_queue import FrameQueue
from ivr.prompt import Prompt


class CallPort(Protocol):
    """The answered call a session talks on (structurally, ivr.call.Call)."""

    remote_uri: str

    @property
    def ended(self) -> bool:
        """True once the call has ended."""
        ...

    def tap(self, leg: Leg, max_frames: int | None = None) -> FrameQueue:
        """A bounded queue of one leg's audio frames."""
        ...

    async def play(self, wav: Path) -> Prompt:
        """Start a prompt."""
        ...

    async def stop_prompt(self) -> None:
        """Stop the prompt now playing."""
        ...

    async def hangup(self, status_code: int = 0) -> None:
        """End the call."""
        ...

    async def transfer(self, uri: str) -> None:
        """Blind transfer to a human."""
        ...

    async def next_dtmf(self, timeout: float) -> DtmfDigit | None:
        """The next key, None on timeout or at the end."""
        ...

    async def wait_ended(self, timeout: float) -> CallEnded:
        """How the call ended."""
        ...
