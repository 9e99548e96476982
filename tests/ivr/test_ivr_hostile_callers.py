"""Callers that hold lines: no ACK, an ignored BYE, an INVITE scan; bad offers, early CANCELs.

Each is followed by an ordinary caller, who must be answered at once: a line huifang has
ended is free again, whatever the hostile caller does (issue 17: pjsua kept such slots for
32 s while huifang showed no call).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from ivr_testkit import PhoneRig, SippProcess, running_phone

from ivr.admission import AdmissionPolicy
from ivr.call import Call, CallEndedError
from ivr.config import SipConfig
from ivr.events import CallEnded, RefusalReason
from ivr.outcome import CallOutcome
from ivr.phone import Phone

SpawnSipp = Callable[..., SippProcess]
ACK_TIMEOUT_S = 1.0
ONE_LINE = AdmissionPolicy(max_lines=1)


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PhoneRig]:
    """This module's own endpoint: a short ACK timeout, limits set per test."""
    recordings = tmp_path_factory.mktemp("recordings")
    config = SipConfig(bind_address="127.0.0.1", port=0, transport="udp", codecs=("PCMU",),
                       media_timeout_s=5.0, ack_timeout_s=ACK_TIMEOUT_S, admission=ONE_LINE,
                       recordings_dir=recordings)
    with running_phone(config) as rig:
        yield rig


@dataclass
class Desk:
    """Answers every call, holds it `hold_s`, hangs up; remembers how each ended."""

    phone: Phone
    hold_s: float = 0.3
    ring_s: float = 0.0  # before answering
    ended: list[CallEnded] = field(default_factory=list)
    answer_errors: list[str] = field(default_factory=list)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def serve(self) -> None:
        while True:
            call = await self.phone.next_incoming(3600)
            task = asyncio.create_task(self._take(call))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _take(self, call: Call) -> None:
        await asyncio.sleep(self.ring_s)
        try:
            await call.answer(200)
        except CallEndedError as err:
            self.answer_errors.append(str(err))
        with contextlib.suppress(TimeoutError):
            if await call.wait_answered(ACK_TIMEOUT_S + 5):
                await asyncio.sleep(self.hold_s)
                await call.hangup()
        self.ended.append(await call.wait_ended(10))

    async def wait_for(self, count: int, timeout: float) -> list[CallEnded]:
        """Once `count` calls have ended."""
        deadline = time.monotonic() + timeout
        while len(self.ended) < count and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert len(self.ended) >= count, self.ended
        return self.ended[:count]


def desk_scenario(rig: PhoneRig, policy: AdmissionPolicy, body: Callable[[Desk], object],
                  timeout: float = 40.0, ring_s: float = 0.0) -> Desk:
    """Run `body(desk)` (a coroutine) while a Desk answers calls under `policy`."""
    desk = Desk(rig.phone, ring_s=ring_s)

    async def run() -> None:
        await rig.phone.set_admission(policy)
        serving = asyncio.create_task(desk.serve())
        try:
            await body(desk)  # type: ignore[misc]
        finally:
            serving.cancel()
            await rig.phone.hangup_all(5)

    rig.run(run(), timeout=timeout)
    return desk


def target(rig: PhoneRig) -> str:
    """Where SIPp sends its INVITEs."""
    return f"127.0.0.1:{rig.phone.local_port}"


@pytest.mark.slow
@pytest.mark.parametrize(("scenario", "first_outcome"), [
    ("uac_no_ack.xml", CallOutcome.NO_ACK),
    ("uac_ignore_bye.xml", CallOutcome.COMPLETED),
])
def test_a_line_held_by_a_hostile_caller_is_free_again_at_once(
        rig: PhoneRig, spawn_sipp: SpawnSipp, scenario: str,
        first_outcome: CallOutcome) -> None:
    """One line only: after a caller who never ACKs (ended at the ACK timeout) or who
    ignores our BYE (ended at once), an ordinary caller 2 s later at most is answered."""
    refused_before = sum(rig.phone.refused.values())

    async def body(desk: Desk) -> None:
        hostile = spawn_sipp(scenario, target(rig), replace={"@WAIT_MS@": "8000"},
                             quiet_aborts=True, timeout_s=20)
        started = time.monotonic()
        (first,) = await desk.wait_for(1, ACK_TIMEOUT_S + 5)
        assert first.outcome is first_outcome, first
        assert time.monotonic() - started < ACK_TIMEOUT_S + 2.5
        assert await rig.phone.lines_in_use() == 0  # pjsua's own count, not ours
        normal = spawn_sipp("uac_normal.xml", target(rig))
        status, output = await asyncio.to_thread(normal.wait, 15)
        assert status == 0, output
        _, second = await desk.wait_for(2, 5)
        assert second.outcome is CallOutcome.COMPLETED
        hostile.kill()

    desk_scenario(rig, ONE_LINE, body)
    assert sum(rig.phone.refused.values()) == refused_before  # nobody heard 486


@pytest.mark.slow
def test_an_invite_scan_cannot_take_the_lines(rig: PhoneRig, spawn_sipp: SpawnSipp) -> None:
    """40 INVITEs from one address in a second, never ACKed: at most 2 become calls (per
    source), the rest are refused and counted; an ordinary caller right after is answered."""
    policy = AdmissionPolicy(max_lines=4, invites_per_minute=10, calls_per_source=2)
    refused_before = dict(rig.phone.refused)

    async def body(desk: Desk) -> None:
        scan = spawn_sipp("uac_invite_scan.xml", target(rig), "-r", "40",
                          replace={"@WAIT_MS@": "3000"}, local_ip="127.0.0.2", calls=40,
                          quiet_aborts=True, timeout_s=20)
        await asyncio.to_thread(scan.wait, 20)
        normal = spawn_sipp("uac_normal.xml", target(rig))
        status, output = await asyncio.to_thread(normal.wait, 15)
        assert status == 0, output

    desk = desk_scenario(rig, policy, body)
    taken = [e for e in desk.ended if e.outcome is CallOutcome.NO_ACK]
    assert len(taken) <= 2 * 3  # two at a time, each ended at the 1 s ACK timeout
    assert any(e.outcome is CallOutcome.COMPLETED for e in desk.ended)
    refused = {reason: rig.phone.refused[reason] - refused_before.get(reason, 0)
               for reason in RefusalReason}
    assert refused[RefusalReason.SOURCE_RATE] >= 20
    assert refused[RefusalReason.SOURCE_CALLS] >= 1
    assert len(taken) + sum(refused.values()) == 40  # every INVITE accounted for


@pytest.mark.slow
@pytest.mark.parametrize(("connection", "payloads", "rtpmap"), [
    ("IN IP6 ::1", "0", "a=rtpmap:0 PCMU/8000"),
    ("IN IP4 nowhere.invalid", "0", "a=rtpmap:0 PCMU/8000"),
    ("IN IP[media_ip_type] [media_ip]", "101", "a=rtpmap:101 telephone-event/8000"),
])
def test_an_unusable_offer_gets_488_and_a_clean_outcome(
        rig: PhoneRig, spawn_sipp: SpawnSipp, connection: str, payloads: str,
        rtpmap: str) -> None:
    """The caller hears 488; the call ends as unusable_offer (or is refused as such by
    pjsua before it becomes a call), with no pjsua2 error reaching the caller of answer()."""
    refused_before = rig.phone.refused[RefusalReason.UNUSABLE_OFFER]

    async def body(desk: Desk) -> None:
        caller = spawn_sipp("uac_unusable_sdp.xml", target(rig), replace={
            "@CONNECTION@": connection, "@PAYLOADS@": payloads, "@RTPMAP@": rtpmap})
        status, output = await asyncio.to_thread(caller.wait, 15)
        assert status == 0, output
        await asyncio.sleep(0.5)

    desk = desk_scenario(rig, ONE_LINE, body)
    refused = rig.phone.refused[RefusalReason.UNUSABLE_OFFER] - refused_before
    outcomes = [e.outcome for e in desk.ended]
    assert outcomes == [CallOutcome.UNUSABLE_OFFER] or (outcomes == [] and refused == 1)
    assert all("488" in error for error in desk.answer_errors)


@pytest.mark.slow
def test_an_early_cancel_logs_no_error(rig: PhoneRig, spawn_sipp: SpawnSipp,
                                       caplog: pytest.LogCaptureFixture) -> None:
    """CANCEL right behind the INVITE: 487, and nothing logged at ERROR (a peer's doing)."""
    caplog.set_level(logging.WARNING)

    async def body(desk: Desk) -> None:
        for _ in range(5):
            caller = spawn_sipp("uac_early_cancel.xml", target(rig))
            status, output = await asyncio.to_thread(caller.wait, 15)
            assert status == 0, output
        await asyncio.sleep(0.5)

    desk_scenario(rig, ONE_LINE, body, ring_s=2.0)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]


def request(method: str, port: int, *, to_tag: str = "", max_forwards: str = "70",
            content_length: str = "0", body: str = "", cseq_method: str = "",
            branch: str = "") -> bytes:
    """One SIP request over UDP from 127.0.0.1:`port`."""
    tag = f";tag={to_tag}" if to_tag else ""
    branch = f"z9hG4bK{branch or method}{time.time_ns()}"
    return (f"{method} sip:huifang@127.0.0.1 SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:{port};branch={branch}\r\n"
            f"From: <sip:prober@127.0.0.1>;tag=p1\r\nTo: <sip:huifang@127.0.0.1>{tag}\r\n"
            f"Call-ID: probe-{method}-{time.time_ns()}@127.0.0.1\r\n"
            f"CSeq: 1 {cseq_method or method}\r\nMax-Forwards: {max_forwards}\r\n"
            f"Content-Length: {content_length}\r\n\r\n{body}").encode()


def status_of(sock: socket.socket, data: bytes, target: tuple[str, int]) -> int:
    """The final status the endpoint answers `data` with (provisional ones skipped); 0: none."""
    sock.sendto(data, target)
    deadline = time.monotonic() + 2.0
    while (left := deadline - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            reply = sock.recv(65536)
        except TimeoutError:
            return 0
        code = int(reply.split(b" ", 2)[1])
        if code >= 200:
            return code
    return 0


@pytest.mark.parametrize(("kind", "data", "expected"), [
    ("REGISTER: we are no registrar", dict(method="REGISTER"), 405),
    ("PUBLISH", dict(method="PUBLISH"), 405),
    ("REFER out of a dialog", dict(method="REFER"), 405),
    ("NOTIFY for no subscription", dict(method="NOTIFY"), 481),
    ("INFO out of a dialog", dict(method="INFO"), 481),
    ("UPDATE out of a dialog", dict(method="UPDATE"), 481),
    ("PRACK for no transaction", dict(method="PRACK"), 481),
    ("BYE for no dialog", dict(method="BYE", to_tag="gone"), 481),
    ("a method nobody knows", dict(method="FROBNICATE"), 501),
    ("OPTIONS with Max-Forwards 0", dict(method="OPTIONS", max_forwards="0"), 483),
    ("INVITE with Max-Forwards 0", dict(method="INVITE", max_forwards="0"), 483),
    ("Content-Length past the datagram", dict(method="OPTIONS", content_length="5000",
                                              body="v=0\r\n"), 400),
    ("CSeq of another method", dict(method="OPTIONS", cseq_method="INVITE"), 400),
    ("an ordinary OPTIONS", dict(method="OPTIONS"), 200),
])
def test_out_of_dialog_and_malformed_requests_get_a_proper_answer(
        rig: PhoneRig, kind: str, data: dict[str, str], expected: int) -> None:
    """Every request gets an answer that says what is wrong (issue 17: some got none)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        code = status_of(sock, request(port=port, **data), ("127.0.0.1", rig.phone.local_port))
    assert code == expected, kind


@pytest.mark.slow
def test_pjsuas_own_refusal_is_reported_too(rig: PhoneRig, spawn_sipp: SpawnSipp) -> None:
    """No line limit of ours, every pjsua slot ringing out: pjsua itself refuses the next
    INVITE (486), and that refusal reaches us to be stored and counted like our own."""
    before = rig.phone.refused[RefusalReason.NO_CALL_SLOT]

    async def body(desk: Desk) -> None:
        callee = spawn_sipp("uas_no_answer.xml", calls=4, timeout_s=30)
        ringing = [await rig.phone.place_call(callee.uri()) for _ in range(4)]
        caller = spawn_sipp("uac_invite_scan.xml", target(rig), replace={"@WAIT_MS@": "3000"},
                            local_ip="127.0.0.3", quiet_aborts=True)
        await asyncio.to_thread(caller.wait, 15)
        refusal = await rig.phone.next_refusal(5)
        while refusal.reason is not RefusalReason.NO_CALL_SLOT:
            refusal = await rig.phone.next_refusal(5)
        assert refusal.status_code == 486 and refusal.source.startswith("127.0.0.3:")
        for call in ringing:
            await call.hangup()

    desk_scenario(rig, AdmissionPolicy(max_lines=0), body)
    assert rig.phone.refused[RefusalReason.NO_CALL_SLOT] == before + 1


@pytest.mark.slow
def test_a_callee_that_never_answers_at_all_frees_the_line_when_we_hang_up(
        rig: PhoneRig) -> None:
    """Our INVITE to an address where nothing answers: hung up before any response, the
    call ends and pjsua's slot is free at once (pjsua alone reported the end at once but
    held the slot 32 s, until its INVITE transaction gave up)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))  # receives our INVITEs, never answers them

        async def scenario() -> tuple[CallEnded, float, int]:
            call = await rig.phone.place_call(f"sip:nobody@127.0.0.1:{silent.getsockname()[1]}")
            await asyncio.sleep(0.5)
            hung_up = time.monotonic()
            await call.hangup()
            ended = await call.wait_ended(10)
            return ended, time.monotonic() - hung_up, await rig.phone.lines_in_use()

        ended, seconds, lines = rig.run(scenario(), timeout=20)
    assert ended.outcome is CallOutcome.CANCELLED
    assert seconds < 1.0 and lines == 0


def _sipvicious(tool: str, *args: str, timeout: float = 30.0) -> str:
    """Run one of SIPVicious's scanners (Debian's sipvicious) to its end; its output."""
    import shutil
    import subprocess

    if shutil.which(tool) is None:
        pytest.fail(f"{tool} not found: bin/setup installs Debian's sipvicious")
    done = subprocess.run([tool, *args], capture_output=True, text=True, timeout=timeout,
                          check=False)  # fmt: skip
    return done.stdout + done.stderr


@pytest.mark.slow
def test_the_real_sipvicious_scanners_take_no_line(rig: PhoneRig, spawn_sipp: SpawnSipp) -> None:
    """svmap (OPTIONS sweep) and svwar (INVITE extension scan, 60 extensions) from one
    address, as an attacker runs them: INVITEs beyond the per-source limits are refused, no
    line is left held, and an ordinary caller right after is answered."""
    policy = AdmissionPolicy(max_lines=4, invites_per_minute=10, calls_per_source=2)
    refused_before = sum(rig.phone.refused.values())
    port = str(rig.phone.local_port)

    scan_s: list[float] = []

    async def body(desk: Desk) -> None:
        swept = await asyncio.to_thread(_sipvicious, "svmap", "-p", port, "127.0.0.1")
        assert "127.0.0.1" in swept, swept
        started = time.monotonic()
        await asyncio.to_thread(_sipvicious, "svwar", "-m", "INVITE", "-e", "100-159", "-p",
                                port, "-b", "127.0.0.4", "--force", "127.0.0.1")  # fmt: skip
        scan_s.append(time.monotonic() - started)
        await asyncio.sleep(ACK_TIMEOUT_S + 1)  # whatever it took has timed out by now
        assert await rig.phone.lines_in_use() == 0
        normal = spawn_sipp("uac_normal.xml", target(rig))
        status, output = await asyncio.to_thread(normal.wait, 15)
        assert status == 0, output

    desk = desk_scenario(rig, policy, body, timeout=90)
    assert any(e.outcome is CallOutcome.COMPLETED for e in desk.ended)
    # The token bucket's bound, whatever pace the scan kept (a loaded machine slows svwar and
    # so lets the bucket refill): a burst of 10, then 10 a minute; the ordinary call is 1.
    admitted = len(desk.ended) - 1
    assert admitted <= 10 + math.ceil(scan_s[0] * 10 / 60) + 1, (admitted, scan_s)
    assert sum(rig.phone.refused.values()) > refused_before, rig.phone.refused
