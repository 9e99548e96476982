"""The start gate of a campaign run's workers, on a virtual clock."""

from __future__ import annotations

import asyncio
from pathlib import Path

from huifang.campaign.start_gate import GateKeeper, StartGate


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_gate_opens_once_every_worker_is_up(tmp_path: Path) -> None:
    gate, clock = StartGate(tmp_path), Clock()
    keeper = GateKeeper(gate, 2, 300.0, clock=clock)
    gate.ready(0)
    clock.now += 40
    assert keeper.check(any_exited=False) is None and not gate.is_open()
    gate.ready(1)
    clock.now += 2.5
    opened = keeper.check(any_exited=False)
    assert opened is not None and opened.complete and gate.is_open()
    assert opened.line() == "2 of 2 workers ready after 42.5 s; dialling"
    assert keeper.check(any_exited=False) is None  # told once


def test_a_worker_late_past_the_wait_is_left_behind(tmp_path: Path) -> None:
    gate, clock = StartGate(tmp_path), Clock()
    keeper = GateKeeper(gate, 2, 300.0, clock=clock)
    gate.ready(1)
    clock.now += 300
    opened = keeper.check(any_exited=False)
    assert opened is not None and not opened.complete
    assert opened.line() == "1 of 2 workers ready after 300.0 s; dialling"


def test_a_worker_that_exited_before_it_was_up_does_not_hold_the_others(tmp_path: Path) -> None:
    gate, clock = StartGate(tmp_path), Clock()
    keeper = GateKeeper(gate, 2, 300.0, clock=clock)
    gate.ready(0)
    opened = keeper.check(any_exited=True)
    assert opened is not None and opened.ready == 1 and gate.is_open()


def test_a_worker_waits_for_the_gate_or_a_stop(tmp_path: Path) -> None:
    gate = StartGate(tmp_path)

    async def scenario() -> None:
        waiting = asyncio.create_task(gate.wait_open(lambda: False))
        await asyncio.sleep(0.25)
        assert not waiting.done()
        gate.open()
        await asyncio.wait_for(waiting, 2)
        stopped = StartGate(tmp_path / "x")
        await asyncio.wait_for(stopped.wait_open(lambda: True), 2)  # a signal came first

    asyncio.run(scenario())
