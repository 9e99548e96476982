"""The malformed-SIP corpus against a live endpoint: it keeps serving and logs no error."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import pytest
from ivr_testkit import PeerProcess, PhoneRig
from sip_fuzz import load_corpus, send_corpus

from ivr.events import CallEnded
from ivr.outcome import CallOutcome


def test_the_corpus_holds_enough_kinds_of_breakage() -> None:
    corpus = load_corpus()
    assert len(corpus) >= 500
    assert len({item["kind"] for item in corpus}) >= 150
    assert {item["transport"] for item in corpus} == {"udp", "tcp"}


@pytest.mark.slow
def test_after_the_corpus_a_call_completes_and_nothing_was_logged_as_error(
        rig: PhoneRig, spawn_peer: Callable[..., PeerProcess],
        caplog: pytest.LogCaptureFixture) -> None:
    """Every message of the corpus once (some become calls nobody takes: they ring until the
    caller gives up), then an ordinary call: answered, and it ends normally."""
    caplog.set_level(logging.WARNING)
    report = send_corpus("127.0.0.1", rig.phone.local_port, budget_s=60)
    assert report.sent == len(load_corpus())
    assert rig.phone.guard_reads_requests  # this wheel's pjsip_rx_data layout was recognised
    assert report.answers["483"] >= 10 and report.answers["400"] >= 10
    assert report.answers["405"] and report.answers["481"] and report.answers["501"]
    peer = spawn_peer()

    async def call() -> CallEnded:
        await rig.phone.hangup_all(5)  # fuzz INVITEs still ringing
        placed = await rig.phone.place_call(peer.uri())
        assert await placed.wait_answered(10)
        await asyncio.sleep(0.5)
        await placed.hangup()
        return await placed.wait_ended(5)

    assert rig.run(call(), timeout=30).outcome is CallOutcome.COMPLETED
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage()[:300] for r in errors[:5]]
