"""pjsua2 objects that are destroyed on the pj thread, whichever thread lets go of them last.

pjlib aborts the process ("Calling pjlib from unknown/external thread") when the C++ destructor
of a Call, a player, a media port or an Account runs on a thread it does not know, and after
libDestroy it must not run at all. Python decides neither the thread nor the moment: a
traceback, a log record or a reference cycle freed by the collector can drop the last
reference anywhere. So, by construction:

- every such object is a `PjOwned` subclass, adopted by its endpoint's `PjObjects` when made;
- the owner destroys it explicitly on the pj thread (`destroy`): the C++ object is deleted
  there and then, and the Python proxy that may linger afterwards owns nothing;
- a proxy finalised elsewhere while it still owns its C++ object is resurrected into the
  owner's graveyard, which the pj thread sweeps on its next turn;
- at shutdown the owner destroys what is still alive before libDestroy, and from then on a
  late finaliser disowns its object (leaked on purpose, never destroyed after libDestroy).
"""

from __future__ import annotations

import logging
import queue
import threading
import weakref
from typing import Any

log = logging.getLogger(__name__)


class PjOwned:
    """Mixin for every pjsua2 subclass in ivr/: its destructor only ever runs on the pj thread."""

    _pj_objects: PjObjects | None = None

    def __del__(self) -> None:
        owner = self._pj_objects
        if owner is not None and _owns(self):
            owner.finalise(self)


def _owns(obj: Any) -> bool:
    """True while the Python proxy still owns its C++ object (a destructor is yet to run)."""
    this = obj.__dict__.get("this")
    return this is not None and bool(this.own())


def _destroy_now(obj: Any) -> None:
    """Delete the C++ object; SWIG's delete disowns the proxy, so nothing runs twice."""
    if _owns(obj):
        type(obj).__swig_destroy__(obj)


def _disown(obj: Any) -> None:
    """Leave the C++ object to leak: its destructor must never run (after libDestroy)."""
    if _owns(obj):
        obj.__dict__["this"].disown()


class PjObjects:
    """One endpoint's pjsua2 objects: adopted when made, destroyed on its pj thread."""

    def __init__(self) -> None:
        self._live: weakref.WeakSet[PjOwned] = weakref.WeakSet()
        self._graveyard: queue.SimpleQueue[PjOwned] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._closed = False
        self.thread_ident: int | None = None  # the pj thread, set when it starts
        self.destroyed = 0
        self.buried = 0  # finalised on another thread, destroyed by a sweep

    def bind_thread(self) -> None:
        """The calling thread is the pj thread (called once it has registered with pjlib)."""
        self.thread_ident = threading.get_ident()

    def adopt(self, obj: PjOwned, *, destroy_at_shutdown: bool = True) -> None:
        """Own `obj` from now on (called by its constructor).

        An object that must outlive libDestroy (a media port: see ivr.media_tap) is not
        destroyed at shutdown; its finaliser still never runs pjlib off the pj thread.
        """
        obj._pj_objects = self
        if destroy_at_shutdown:
            self._live.add(obj)

    def destroy(self, obj: PjOwned | None) -> None:
        """Destroy `obj` now; pj thread only."""
        if obj is None:
            return
        self._check_thread()
        self._live.discard(obj)
        if _owns(obj):
            _destroy_now(obj)
            self.destroyed += 1

    def finalise(self, obj: PjOwned) -> None:
        """From `PjOwned.__del__`: destroy here on the pj thread, else bury for the next sweep."""
        if threading.get_ident() == self.thread_ident and not self._closed:
            _destroy_now(obj)
            self.destroyed += 1
            return
        with self._lock:
            if self._closed:
                _disown(obj)
                return
            self.buried += 1
            self._graveyard.put(obj)  # resurrected: alive until the pj thread sweeps it

    def sweep(self) -> None:
        """Destroy what other threads let go of; pj thread, every turn."""
        while True:
            try:
                obj = self._graveyard.get_nowait()
            except queue.Empty:
                return
            self.destroy(obj)

    def destroy_all(self) -> int:
        """Before libDestroy: destroy every object still alive (in cycles, tracebacks…)."""
        self._check_thread()
        self.sweep()
        survivors = list(self._live)
        for obj in survivors:
            self.destroy(obj)
        return len(survivors)

    def close(self) -> None:
        """After libDestroy: whatever is finalised from now on is disowned, never destroyed."""
        with self._lock:
            self._closed = True
        while True:
            try:
                _disown(self._graveyard.get_nowait())
            except queue.Empty:
                return

    def _check_thread(self) -> None:
        if self.thread_ident is not None and threading.get_ident() != self.thread_ident:
            raise RuntimeError("pjsua2 objects are destroyed on the pj thread only")
