"""Call ends and abuse from SIPp (Debian's sip-tester), a SIP implementation that is not pjsip."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from ivr_testkit import HERE, MEDIA_TIMEOUT_S, PeerProcess, PhoneRig, SippProcess

from ivr.events import CallEnded
from ivr.outcome import CallOutcome

SpawnSipp = Callable[..., SippProcess]


def call_and_wait(rig: PhoneRig, uri: str, ring_timeout_s: float | None = None,
                  end_within: float = 8.0) -> CallEnded:
    """Place a call and wait for its end, without doing anything in between."""
    async def scenario() -> CallEnded:
        call = await rig.phone.place_call(uri, ring_timeout_s=ring_timeout_s)
        return await call.wait_ended(end_within)

    return rig.run(scenario())


@pytest.mark.slow
@pytest.mark.parametrize(("code", "outcome"), [
    (486, CallOutcome.BUSY),
    (404, CallOutcome.INVALID_NUMBER),
    (484, CallOutcome.INVALID_NUMBER),
    (603, CallOutcome.REJECTED),
])
def test_refusals_map_to_outcomes(rig: PhoneRig, spawn_sipp: SpawnSipp, code: int,
                                  outcome: CallOutcome) -> None:
    """忙音 / 空号 / 拒接: the final status decides the outcome."""
    uas = spawn_sipp("uas_reply.xml", replace={"@CODE@": str(code)})
    ended = call_and_wait(rig, uas.uri())
    assert (ended.outcome, ended.status_code, ended.answered) == (outcome, code, False)
    status, output = uas.wait(5)
    assert status == 0, output


@pytest.mark.slow
def test_no_answer_is_cancelled_at_the_ring_timeout(rig: PhoneRig,
                                                    spawn_sipp: SpawnSipp) -> None:
    """无人接听: ringing past our timeout sends CANCEL; SIPp checks the CANCEL arrives."""
    uas = spawn_sipp("uas_no_answer.xml")
    ended = call_and_wait(rig, uas.uri(), ring_timeout_s=1.0)
    assert ended.outcome is CallOutcome.NO_ANSWER
    assert ended.status_code == 487
    status, output = uas.wait(5)
    assert status == 0, output


@pytest.mark.slow
def test_silent_line_ends_with_media_timeout(rig: PhoneRig, spawn_sipp: SpawnSipp) -> None:
    """Answered, then no RTP at all: we hang up after the media timeout (SIPp gets the BYE)."""
    uas = spawn_sipp("uas_silent_media.xml")
    ended = call_and_wait(rig, uas.uri(), end_within=MEDIA_TIMEOUT_S + 5)
    assert ended.outcome is CallOutcome.MEDIA_TIMEOUT
    assert ended.answered
    assert MEDIA_TIMEOUT_S <= ended.connected_s < MEDIA_TIMEOUT_S + 2
    status, output = uas.wait(5)
    assert status == 0, output


@pytest.mark.slow
def test_malformed_and_stray_requests_leave_the_endpoint_serving(
        rig: PhoneRig, spawn_sipp: SpawnSipp, spawn_peer: Callable[..., PeerProcess]) -> None:
    """Broken INVITEs, junk, a BYE and a CANCEL for nothing, all while a call is up: the call
    lives on and ends normally, OPTIONS still gets 200, and a new call still works."""
    peer = spawn_peer()

    async def abused_call() -> tuple[int, str, bool, CallEnded]:
        call = await rig.phone.place_call(peer.uri())
        assert await call.wait_answered(5)
        uac = spawn_sipp("uac_malformed.xml", f"127.0.0.1:{rig.phone.local_port}")
        status, output = await asyncio.to_thread(uac.wait, 15)
        ended_by_abuse = call.ended
        await call.hangup()
        return status, output, ended_by_abuse, await call.wait_ended(5)

    status, output, ended_by_abuse, first = rig.run(abused_call(), timeout=30)
    assert status == 0, output
    assert not ended_by_abuse
    assert first.outcome is CallOutcome.COMPLETED

    fresh = spawn_peer()  # the scripted peer takes one call, then exits

    async def next_call() -> CallEnded:
        call = await rig.phone.place_call(fresh.uri())
        assert await call.wait_answered(5)
        await call.hangup()
        return await call.wait_ended(5)

    assert rig.run(next_call()).outcome is CallOutcome.COMPLETED


def test_sipp_is_installed() -> None:
    """The SIPp tests need Debian's sip-tester; say so plainly when it is missing."""
    from ivr_testkit import sipp_binary

    assert Path(sipp_binary()).exists()


@pytest.mark.slow
@pytest.mark.parametrize(("password", "code"), [("secret", 200), ("wrong", 403)])
def test_register_with_digest_auth(spawn_sipp: SpawnSipp, password: str, code: int) -> None:
    """REGISTER answers SIPp's 401 challenge; SIPp checks the digest (its own Endpoint: a child)."""
    registrar = spawn_sipp("uas_registrar.xml")
    env = {**os.environ, "PYTHONPATH": str(HERE.parent.parent)}
    try:
        done = subprocess.run(
            [sys.executable, str(HERE / "ivr_register_child.py"),
             f"sip:127.0.0.1:{registrar.port}", password],
            capture_output=True, text=True, env=env, timeout=20)
    except subprocess.TimeoutExpired as err:
        raise AssertionError("the registering child hung") from err
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, done.stdout + done.stderr
    assert json.loads(lines[-1])["code"] == code
    if code == 200:
        status, output = registrar.wait(5)
        assert status == 0, output
