"""pjsua2 objects are destroyed on the pj thread only, whichever thread lets go of them."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import pytest
from ivr_testkit import HERE, SippProcess, write_tone

from ivr.pj_owned import PjObjects, PjOwned


class FakeThis:
    """Stands in for SWIG's `this`: owns its C++ object until disowned."""

    def __init__(self) -> None:
        self.owned = True

    def own(self) -> bool:
        return self.owned

    def disown(self) -> None:
        self.owned = False


class FakePjObject(PjOwned):
    """A pjsua2 object whose destructor records the thread it ran on."""

    destroyed_on: ClassVar[list[int]] = []

    def __init__(self, objects: PjObjects) -> None:
        self.this = FakeThis()
        objects.adopt(self)

    @staticmethod
    def __swig_destroy__(obj: Any) -> None:
        obj.this.owned = False  # SWIG's delete disowns the proxy
        FakePjObject.destroyed_on.append(threading.get_ident())


@pytest.fixture
def objects() -> PjObjects:
    FakePjObject.destroyed_on.clear()
    owner = PjObjects()
    owner.bind_thread()  # this test's thread plays the pj thread
    return owner


def on_other_thread(fn: Callable[[], None]) -> None:
    thread = threading.Thread(target=fn)
    thread.start()
    thread.join()


def collect() -> None:
    gc.collect()


def test_dropped_on_another_thread_it_is_destroyed_by_the_next_sweep(
        objects: PjObjects) -> None:
    holder = [FakePjObject(objects)]
    on_other_thread(holder.clear)
    assert FakePjObject.destroyed_on == []  # not there: buried
    assert objects.buried == 1
    objects.sweep()
    assert FakePjObject.destroyed_on == [threading.get_ident()]


def test_a_cycle_collected_on_another_thread_is_destroyed_on_the_pj_thread(
        objects: PjObjects) -> None:
    obj = FakePjObject(objects)
    obj.me = obj  # type: ignore[attr-defined]
    del obj
    on_other_thread(collect)
    objects.sweep()
    assert FakePjObject.destroyed_on == [threading.get_ident()]


def test_shutdown_destroys_survivors_and_later_finalisers_only_disown(
        objects: PjObjects) -> None:
    survivor = FakePjObject(objects)
    assert objects.destroy_all() == 1
    assert FakePjObject.destroyed_on == [threading.get_ident()]
    late = FakePjObject(objects)
    objects.close()  # libDestroy has run
    holder = [late]
    del late
    on_other_thread(holder.clear)
    assert len(FakePjObject.destroyed_on) == 1  # the late one leaked, never destroyed
    assert not survivor.this.owned


def test_destroy_refuses_other_threads(objects: PjObjects) -> None:
    obj = FakePjObject(objects)
    errors: list[BaseException] = []

    def destroy() -> None:
        try:
            objects.destroy(obj)
        except RuntimeError as err:
            errors.append(err)

    on_other_thread(destroy)
    assert errors and FakePjObject.destroyed_on == []
    objects.destroy(obj)


@pytest.mark.slow
def test_many_calls_with_the_collector_on_collecting_elsewhere(
        tmp_path: Path, spawn_sipp: Callable[..., SippProcess]) -> None:
    """40 calls, each with a prompt, a player and a call left in reference cycles, while a
    foreign thread runs the collector every 5 ms: no abort, every cyclic player buried and
    destroyed on the pj thread."""
    calls = 40
    callee = spawn_sipp("uas_answer.xml", calls=calls, timeout_s=120)
    wav = write_tone(tmp_path / "prompt.wav", 600, 0.2)
    env = {**os.environ, "PYTHONPATH": str(HERE.parent.parent)}
    done = subprocess.run([sys.executable, str(HERE / "ivr_many_calls_child.py"),
                           callee.uri(), str(calls), str(wav)],
                          capture_output=True, text=True, env=env, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["outcomes"] == {"completed": calls}
    assert report["buried"] >= calls  # the cyclic players at least, freed by the collector
    assert report["destroyed"] >= 2 * calls  # every call and player, on the pj thread
