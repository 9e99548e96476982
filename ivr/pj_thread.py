"""The one thread that owns pjsua2: it polls libHandleEvents and runs queued commands."""

from __future__ import annotations

import concurrent.futures
import functools
import logging
import queue
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")


def without_frames(err: BaseException) -> BaseException:
    """`err` (and its causes) without tracebacks, so this thread's frames die here.

    A traceback keeps the raising frames alive, and with them the pjsua2 objects in their
    locals (a player, a call): freed later on the caller's thread, pjlib aborts the process
    ("Calling pjlib from unknown/external thread").
    """
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        current.__traceback__ = None
        current = current.__cause__ or current.__context__
    return err


class PjThreadError(RuntimeError):
    """The pj thread is not running, or did not answer in time."""


class PjThread:
    """Runs `setup` then a poll loop on a dedicated thread; `teardown` runs before it exits.

    Every pjsua2 object is created, used and deleted here; other threads `submit` closures.
    """

    def __init__(self, setup: Callable[[], Any], poll: Callable[[int], None],
                 teardown: Callable[[], None], tick: Callable[[float], None],
                 poll_ms: int = 10, tick_s: float = 0.2) -> None:
        self._setup = setup
        self._poll = poll
        self._teardown = teardown
        self._tick = tick
        self._poll_ms = poll_ms
        self._tick_s = tick_s
        self._commands: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._stopping = threading.Event()
        self._ready: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self._thread = threading.Thread(target=self._main, name="pjsua2", daemon=True)
        self.ident: int | None = None

    def start(self, timeout: float = 10.0) -> Any:
        """Start the thread; the value `setup` returned, or its exception."""
        self._thread.start()
        return self._ready.result(timeout)

    def submit(self, fn: Callable[[], T]) -> concurrent.futures.Future[T]:
        """Run `fn` on the pj thread; its result or exception arrives in the future."""
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        if not self._thread.is_alive() or self._stopping.is_set():
            future.set_exception(PjThreadError("the pjsua2 thread is not running"))
            return future

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(fn())
            except BaseException as err:  # handed to the caller, not lost in this thread
                if log.isEnabledFor(logging.DEBUG):
                    log.debug("pj thread command raised:\n%s", traceback.format_exc())
                future.set_exception(without_frames(err))

        self._commands.put(run)
        return future

    def defer(self, fn: Callable[[], None]) -> None:
        """Run `fn` on the pj thread after the current callback returns (fire and forget)."""
        self._commands.put(fn)

    def on_thread(self) -> bool:
        """True when called from the pj thread itself."""
        return threading.get_ident() == self.ident

    def stop(self, timeout: float = 15.0) -> None:
        """Ask the loop to finish: teardown runs on the thread, then it exits."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
            if self._thread.is_alive():
                raise PjThreadError(f"the pjsua2 thread did not stop in {timeout} s")

    def _main(self) -> None:
        self.ident = threading.get_ident()
        try:
            self._ready.set_result(self._setup())
        except BaseException as err:
            self._ready.set_exception(err)
            return
        try:
            self._loop()
        finally:
            self._drain()
            self._teardown()

    def _loop(self) -> None:
        next_tick = time.monotonic()
        while not self._stopping.is_set():
            self._poll(self._poll_ms)
            self._drain()
            now = time.monotonic()
            if now >= next_tick:
                next_tick = now + self._tick_s
                self._guard(functools.partial(self._tick, now))

    def _drain(self) -> None:
        while True:
            try:
                command = self._commands.get_nowait()
            except queue.Empty:
                return
            self._guard(command)

    @staticmethod
    def _guard(fn: Callable[[], None]) -> None:
        try:
            fn()
        except Exception:  # one bad command must not kill the thread that owns pjsua2
            # As text: a record holding the traceback (log capture keeps records) would keep
            # this thread's frames, and the pjsua2 objects in them, alive past this point.
            log.error("pj thread command failed:\n%s", traceback.format_exc())
