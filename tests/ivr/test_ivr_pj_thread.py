"""The pj thread's command queue: errors reach the caller without the thread's frames."""

from __future__ import annotations

import threading
import time
from typing import ClassVar

import pytest

from ivr.pj_thread import PjThread


class Holder:
    """Stands in for a pjsua2 object: records the thread that frees it."""

    freed_on: ClassVar[list[int]] = []

    def __del__(self) -> None:
        Holder.freed_on.append(threading.get_ident())


def test_an_error_frees_the_commands_objects_on_the_pj_thread() -> None:
    """pjlib aborts when its objects are freed on a thread it does not know: an exception
    must not carry the command's frames (and their locals) to the caller's thread."""
    pj = PjThread(lambda: "ready", lambda ms: time.sleep(ms / 1000), lambda: None,
                  lambda now: None)
    assert pj.start() == "ready"

    def command() -> None:
        holder = Holder()  # noqa: F841 - a local of the raising frame
        raise ValueError("the call has ended")

    try:
        Holder.freed_on.clear()
        future = pj.submit(command)
        with pytest.raises(ValueError, match="the call has ended"):
            future.result(5)
        assert Holder.freed_on == [pj.ident]
    finally:
        pj.stop()
