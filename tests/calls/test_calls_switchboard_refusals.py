"""The switchboard stores the INVITEs the SIP layer refused: a caller who found the lines busy
every time, a flood from one address (a scan over the per-source rate, a stranger off the
allow-list) once per address and minute; the phone counts every one. Fake phone, real SQLite."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest

import huifang.calls.switchboard as switchboard
from huifang.calls.inbound import InboundCall
from huifang.calls.switchboard import LineConfig, Switchboard
from ivr.call import Call
from ivr.config import SipConfig
from ivr.events import CallRefused, RefusalReason
from ivr.phone import Phone
from storage.database import Database, open_database
from storage.models import CallRecord


class RefusingPhone:
    """No call ever rings; the refusals it is given come out of next_refusal."""

    def __init__(self) -> None:
        self.config = SipConfig(recordings_dir=None)
        self.refusals: asyncio.Queue[CallRefused] = asyncio.Queue()

    async def next_incoming(self, timeout: float) -> Call:
        await asyncio.sleep(timeout)
        raise TimeoutError

    async def next_refusal(self, timeout: float) -> CallRefused:
        return await asyncio.wait_for(self.refusals.get(), timeout)

    async def hangup_all(self, timeout: float = 5.0) -> None:
        """Nothing to hang up."""


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = open_database(f"sqlite:///{tmp_path / 'calls.db'}")
    yield db
    db.close()


def refused(address: str, port: int, reason: RefusalReason, code: int) -> CallRefused:
    return CallRefused(f"{address}:{port}", f"<sip:1380000{port:04d}@{address}>;tag=t",
                       f"scan-{address}-{port}", code, reason)


def _stored(phone_refusals: list[CallRefused], database: Database) -> list[InboundCall]:
    """Run a switchboard until the refusals, and a last busy caller, have been handled."""
    reports: list[InboundCall] = []
    last = refused("10.0.0.1", 9999, RefusalReason.LINES_BUSY, 486)  # always stored

    async def scenario() -> None:
        phone = RefusingPhone()
        board = Switchboard(cast(Phone, phone), database, cast(Any, None), cast(Any, None),
                            cast(Any, None), LineConfig(4, "暂未查到您的保单"), reports.append)
        stop = asyncio.Event()
        serving = asyncio.create_task(board.serve(stop))
        for refusal in [*phone_refusals, last]:
            phone.refusals.put_nowait(refusal)
        while not any(r.ended.call_id == last.sip_call_id for r in reports):
            await asyncio.sleep(0.01)
        stop.set()
        await asyncio.wait_for(serving, 30)  # the stores still under way finish first

    asyncio.run(scenario())
    with database.session() as session:
        assert session.query(CallRecord).count() == len(reports)
    return [r for r in reports if r.ended.call_id != last.sip_call_id]


def test_a_flood_is_stored_once_per_address_and_busy_callers_every_time(
        database: Database) -> None:
    scan = [refused("10.0.0.9", 5000 + n, RefusalReason.SOURCE_RATE, 503) for n in range(30)]
    stranger = [refused("10.0.0.7", 6000 + n, RefusalReason.SOURCE_NOT_ALLOWED, 403)
                for n in range(5)]
    busy = [refused("10.0.0.9", 7000 + n, RefusalReason.LINES_BUSY, 486) for n in range(3)]
    other = [refused("10.0.0.8", 8000, RefusalReason.SOURCE_RATE, 503)]
    reports = _stored(scan + stranger + busy + other, database)
    by_call = {r.ended.call_id: r for r in reports}
    assert set(by_call) == {"scan-10.0.0.9-5000", "scan-10.0.0.7-6000", "scan-10.0.0.8-8000",
                            *(f"scan-10.0.0.9-{7000 + n}" for n in range(3))}
    assert by_call["scan-10.0.0.9-5000"].handling == "refused"
    assert by_call["scan-10.0.0.9-7000"].handling == "busy"
    assert by_call["scan-10.0.0.9-5000"].ended.outcome.value == "rejected"


def test_after_the_window_the_same_flood_is_stored_again(
        database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(switchboard, "FLOOD_WINDOW_S", 0.0)  # every refusal is past the window
    scan = [refused("10.0.0.9", 5000 + n, RefusalReason.SOURCE_RATE, 503) for n in range(4)]
    assert len(_stored(scan, database)) == 4
