"""Real calls between the Phone under test and pjsua2 peer processes on loopback."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from ivr_testkit import PROMPT_HZ, PeerProcess, PhoneRig, dominant_hz, loudest_window, read_wav, rms

from ivr.call import Call
from ivr.events import AudioFrame, CallEnded, DtmfDigit, DtmfMethod, Leg
from ivr.frame_queue import FrameQueue
from ivr.outcome import CallOutcome
from ivr.prompt import PromptEnd
from ivr.stack import MAX_CALLS

HERE = Path(__file__).parent

Spawn = Callable[..., PeerProcess]


async def gather_frames(frames: FrameQueue, seconds: float) -> list[AudioFrame]:
    """Frames from a tap until `seconds` of audio have arrived (or the leg ends)."""
    got: list[AudioFrame] = []
    total = 0.0
    async for frame in frames:
        got.append(frame)
        total += frame.sample_count / frame.sample_rate
        if total >= seconds:
            break
    return got


def pcm_of(frames: list[AudioFrame]) -> np.ndarray:
    """The frames' samples as one float array."""
    return np.concatenate([f.samples() for f in frames]).astype(np.float64)


@pytest.mark.slow
@pytest.mark.parametrize(("codec", "customer_hz"),
                         [("PCMU", 1000.0), ("G722", 5000.0), ("L16", 5000.0)])
def test_outbound_call_plays_prompt_taps_customer_and_records_both_legs(
        rig: PhoneRig, spawn_peer: Spawn, wavs: dict[str, Path], tmp_path: Path,
        codec: str, customer_hz: float) -> None:
    """Answer, prompt heard by the peer, peer's tone in the tap and in the recording."""
    peer_heard = tmp_path / "peer_heard.wav"
    peer = spawn_peer("--codec", codec, "--play", str(wavs[f"customer_{int(customer_hz)}"]),
                      "--record", str(peer_heard))
    record_to = tmp_path / "call.wav"

    async def scenario() -> tuple[Call, list[AudioFrame], PromptEnd]:
        call = await rig.phone.place_call(peer.uri(), record_to=record_to)
        customer = call.tap(Leg.CUSTOMER)
        assert await call.wait_answered(5)
        media = await call.wait_media(5)
        assert media.codec.upper().startswith(codec)
        prompt = await call.play(wavs["prompt"])
        frames = await gather_frames(customer, 1.5)
        end = await prompt.wait(5)
        await call.hangup()
        await call.wait_ended(5)
        return call, frames, end

    call, frames, prompt_end = rig.run(scenario())
    ended = rig.run(call.wait_ended(1))
    assert ended.outcome is CallOutcome.COMPLETED
    assert prompt_end is PromptEnd.FINISHED
    assert {f.sample_rate for f in frames} == {16000}
    assert [f.sample_offset for f in frames] == sorted(f.sample_offset for f in frames)
    heard = loudest_window(pcm_of(frames), 16000)
    assert dominant_hz(heard, 16000) == pytest.approx(customer_hz, abs=30)
    assert rms(heard) > 2000

    stereo, rate = read_wav(record_to)
    assert rate == 16000 and stereo.shape[1] == 2
    agent, customer = stereo[:, 0], stereo[:, 1]
    assert dominant_hz(loudest_window(agent, rate), rate) == pytest.approx(PROMPT_HZ, abs=30)
    assert dominant_hz(loudest_window(customer, rate), rate) == pytest.approx(customer_hz, abs=30)
    assert rms(loudest_window(agent, rate)) > 2000

    peer.wait_for("ended", 5)
    peer.wait_exit(5)
    mono, peer_rate = read_wav(peer_heard)
    assert dominant_hz(loudest_window(mono[:, 0], peer_rate), peer_rate) == pytest.approx(
        PROMPT_HZ, abs=30)


@pytest.mark.slow
@pytest.mark.parametrize(("method", "expected"),
                         [("rfc4733", DtmfMethod.RFC4733), ("info", DtmfMethod.SIP_INFO)])
def test_dtmf_digits_arrive_by_rtp_events_and_sip_info(
        rig: PhoneRig, spawn_peer: Spawn, method: str, expected: DtmfMethod) -> None:
    """按键: the peer keys 1, 9, 0 then #; we collect "190" with the right method."""
    peer = spawn_peer("--dtmf", "190#", "--dtmf-method", method, "--dtmf-at", "0.3")

    async def scenario() -> str:
        call = await rig.phone.place_call(peer.uri())
        assert await call.wait_answered(5)
        digits = await call.collect_dtmf(max_digits=8, timeout=5)
        await call.hangup()
        await call.wait_ended(5)
        return digits

    digits = rig.run(scenario())
    assert digits == "190"
    assert peer.wait_for("dtmf_sent", 1)["digits"] == "190#"


@pytest.mark.slow
def test_dtmf_events_carry_their_method(rig: PhoneRig, spawn_peer: Spawn) -> None:
    """Each digit event says how it travelled (reviewers see keyed answers as such)."""
    peer = spawn_peer("--dtmf", "5", "--dtmf-method", "info", "--dtmf-at", "0.2")

    async def scenario() -> DtmfDigit | None:
        call = await rig.phone.place_call(peer.uri())
        assert await call.wait_answered(5)
        event = await call.next_dtmf(5)
        await call.hangup()
        await call.wait_ended(5)
        return event

    event = rig.run(scenario())
    assert event is not None and (event.digit, event.method) == ("5", DtmfMethod.SIP_INFO)


@pytest.mark.slow
def test_peer_hanging_up_mid_prompt_ends_prompt_and_call(
        rig: PhoneRig, spawn_peer: Spawn, wavs: dict[str, Path]) -> None:
    """The customer hangs up 0.8 s into a 6 s prompt: PEER_HUNG_UP, prompt CALL_ENDED."""
    peer = spawn_peer("--hangup-after", "0.8")

    async def scenario() -> tuple[PromptEnd, CallEnded]:
        call = await rig.phone.place_call(peer.uri())
        assert await call.wait_answered(5)
        prompt = await call.play(wavs["long_prompt"])
        end = await prompt.wait(5)
        return end, await call.wait_ended(5)

    prompt_end, ended = rig.run(scenario())
    assert prompt_end is PromptEnd.CALL_ENDED
    assert ended.outcome is CallOutcome.PEER_HUNG_UP
    assert 0.5 < ended.connected_s < 3.0


@pytest.mark.slow
def test_stop_prompt_stops_it_and_the_customer_hears_silence_after(
        rig: PhoneRig, spawn_peer: Spawn, wavs: dict[str, Path], tmp_path: Path) -> None:
    """Barge-in: stop_prompt ends the prompt as STOPPED and the agent leg goes quiet."""
    peer = spawn_peer()
    record_to = tmp_path / "stop.wav"

    async def scenario() -> PromptEnd:
        call = await rig.phone.place_call(peer.uri(), record_to=record_to)
        assert await call.wait_answered(5)
        await call.wait_media(5)
        prompt = await call.play(wavs["long_prompt"])
        await asyncio.sleep(0.6)
        await call.stop_prompt()
        end = await prompt.wait(2)
        await asyncio.sleep(0.6)
        await call.hangup()
        await call.wait_ended(5)
        return end

    assert rig.run(scenario()) is PromptEnd.STOPPED
    agent = read_wav(record_to)[0][:, 0]
    assert rms(loudest_window(agent, 16000, 0.3)) > 2000
    assert rms(agent[-int(0.3 * 16000):]) < 50  # the last 0.3 s after the stop are silent


@pytest.mark.slow
def test_incoming_call_over_tcp_is_answered_and_tapped(
        rig: PhoneRig, spawn_peer: Spawn, wavs: dict[str, Path]) -> None:
    """The peer calls us over TCP; we answer, hear its tone, and end the call."""
    peer = spawn_peer("--transport", "tcp", "--call", rig.phone.uri("callback") +
                      ";transport=tcp", "--play", str(wavs["customer_1500"]))

    async def scenario() -> tuple[Call, list[AudioFrame]]:
        call = await rig.phone.next_incoming(5)
        assert "peer@127.0.0.1" in call.remote_uri
        frames_q = call.tap(Leg.CUSTOMER)
        await call.answer()
        assert await call.wait_answered(5)
        frames = await gather_frames(frames_q, 1.0)
        await call.hangup()
        await call.wait_ended(5)
        return call, frames

    call, frames = rig.run(scenario())
    heard = loudest_window(pcm_of(frames), 16000)
    assert dominant_hz(heard, 16000) == pytest.approx(1500, abs=30)
    assert rig.run(call.wait_ended(1)).outcome is CallOutcome.COMPLETED
    peer.wait_for("ended", 5)


@pytest.mark.slow
def test_incoming_call_rejected_busy(rig: PhoneRig, spawn_peer: Spawn) -> None:
    """We may answer an incoming call with 486; the caller sees busy."""
    peer = spawn_peer("--call", rig.phone.uri("callback"))

    async def scenario() -> CallEnded:
        call = await rig.phone.next_incoming(5)
        await call.answer(486)
        return await call.wait_ended(5)

    ended = rig.run(scenario())
    assert ended.answered is False
    state = peer.wait_for("state", 5)
    while state["state"] != "DISCONNECTED":
        state = peer.wait_for("state", 5)
    assert state["code"] == 486


@pytest.mark.slow
def test_bridge_two_calls_each_hears_the_other(
        rig: PhoneRig, spawn_peer: Spawn, wavs: dict[str, Path], tmp_path: Path) -> None:
    """Customer and agent bridged: each peer hears the other's tone; our recording too."""
    heard_by_customer, heard_by_agent = tmp_path / "hc.wav", tmp_path / "ha.wav"
    customer = spawn_peer("--play", str(wavs["customer_1000"]), "--record",
                          str(heard_by_customer))
    agent = spawn_peer("--play", str(wavs["customer_1500"]), "--record", str(heard_by_agent))
    record_to = tmp_path / "bridged.wav"

    async def scenario() -> None:
        a = await rig.phone.place_call(customer.uri(), record_to=record_to)
        b = await rig.phone.place_call(agent.uri("agent"))
        for call in (a, b):
            assert await call.wait_answered(5)
            await call.wait_media(5)
        await rig.phone.bridge(a, b)
        await asyncio.sleep(1.5)
        await a.hangup()
        await b.hangup()
        await a.wait_ended(5)
        await b.wait_ended(5)

    rig.run(scenario())
    for peer, wav, hz in ((customer, heard_by_customer, 1500), (agent, heard_by_agent, 1000)):
        peer.wait_exit(5)
        mono, rate = read_wav(wav)
        assert dominant_hz(loudest_window(mono[:, 0], rate), rate) == pytest.approx(hz, abs=30)
    stereo, rate = read_wav(record_to)
    assert dominant_hz(loudest_window(stereo[:, 0], rate), rate) == pytest.approx(1500, abs=30)
    assert dominant_hz(loudest_window(stereo[:, 1], rate), rate) == pytest.approx(1000, abs=30)


@pytest.mark.slow
def test_blind_transfer_ends_as_transferred(rig: PhoneRig, spawn_peer: Spawn) -> None:
    """转人工: REFER to our own "agent" user; the peer calls it, the first call is TRANSFERRED."""
    peer = spawn_peer()

    async def scenario() -> tuple[CallEnded, Call]:
        call = await rig.phone.place_call(peer.uri())
        assert await call.wait_answered(5)
        await call.transfer(rig.phone.uri("agent"))
        human = await rig.phone.next_incoming(5)
        await human.answer()
        ended = await call.wait_ended(5)
        await human.hangup()
        await human.wait_ended(5)
        return ended, human

    ended, human = rig.run(scenario())
    assert ended.outcome is CallOutcome.TRANSFERRED
    assert "peer@127.0.0.1" in human.remote_uri


@pytest.mark.slow
def test_call_slots_are_limited_and_a_refused_dial_raises(spawn_peer: Spawn) -> None:
    """The wheel allows MAX_CALLS (4) calls at once; the next dial fails loudly, not silently."""
    peers = [spawn_peer("--respond", "0") for _ in range(MAX_CALLS)]  # ring forever
    env = {**os.environ, "PYTHONPATH": str(HERE.parent.parent)}
    try:
        done = subprocess.run([sys.executable, str(HERE / "ivr_slots_child.py"),
                               *(p.uri() for p in peers)],
                              capture_output=True, text=True, env=env, timeout=60)
    except subprocess.TimeoutExpired as err:
        raise AssertionError("the slot-filling child hung") from err
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, done.stdout + done.stderr
    report = json.loads(lines[-1])
    assert "PJ_ETOOMANY" in report["refused"]
    assert report["outcomes"] == [CallOutcome.CANCELLED.value] * MAX_CALLS


@pytest.mark.slow
def test_a_call_dialled_into_a_just_freed_slot_is_not_hung_up_by_the_old_one(
        spawn_peer: Spawn) -> None:
    """The peer ends a call while the next dial is already queued: the new call gets the
    freed slot and must live (the old pjsua2 Call's destructor used to hang it up)."""
    ringing = [spawn_peer("--respond", "0") for _ in range(MAX_CALLS - 1)]
    hangs_up = spawn_peer("--hangup-after", "1.0")
    stays = spawn_peer()
    env = {**os.environ, "PYTHONPATH": str(HERE.parent.parent)}
    try:
        done = subprocess.run([sys.executable, str(HERE / "ivr_slot_reuse_child.py"),
                               "--ringing", *(p.uri() for p in ringing),
                               "--hangs-up", hangs_up.uri(), "--stays", stays.uri()],
                              capture_output=True, text=True, env=env, timeout=90)
    except subprocess.TimeoutExpired as err:
        raise AssertionError("the slot-reuse child hung") from err
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, done.stdout + done.stderr[-3000:]
    report = json.loads(lines[-1])
    assert report["first_answered"] is True
    assert report["first_outcome"] == CallOutcome.PEER_HUNG_UP.value
    assert report["answered"] is True, report
    assert report["alive"] is True, report
    assert report["unreported_ends"] == 0, report


@pytest.mark.slow
def test_taps_are_reused_and_a_reused_tap_carries_only_its_new_call(
        rig: PhoneRig, spawn_peer: Spawn, wavs: dict[str, Path], tmp_path: Path) -> None:
    """pjsua2 cannot free a tap while the bridge runs, so taps go back to a pool: after a
    bridged call ends, the next call gets its ports and hears nothing of the old partner."""
    first = spawn_peer("--play", str(wavs["customer_1000"]))
    partner = spawn_peer("--play", str(wavs["long_prompt"]))  # still talking afterwards
    third = spawn_peer("--play", str(wavs["customer_1500"]))
    record_to = tmp_path / "third.wav"

    async def scenario() -> tuple[int, int]:
        a = await rig.phone.place_call(first.uri())
        b = await rig.phone.place_call(partner.uri("agent"))
        for call in (a, b):
            assert await call.wait_answered(5)
            await call.wait_media(5)
        await rig.phone.bridge(a, b)
        await asyncio.sleep(0.5)
        await a.hangup()
        await a.wait_ended(5)
        ports_before = await rig.phone.tap_ports()
        c = await rig.phone.place_call(third.uri(), record_to=record_to)
        assert await c.wait_answered(5)
        await c.wait_media(5)
        await asyncio.sleep(1.5)
        ports_after = await rig.phone.tap_ports()
        for call in (b, c):
            await call.hangup()
            await call.wait_ended(5)
        return ports_before, ports_after

    ports_before, ports_after = rig.run(scenario())
    assert ports_after == ports_before  # the third call borrowed the first call's taps
    stereo, rate = read_wav(record_to)
    # Our side of the third call played nothing, and neither leg has the partner's prompt.
    assert rms(stereo[:, 0]) < 50
    customer = stereo[:, 1]
    assert dominant_hz(loudest_window(customer, rate), rate) == pytest.approx(1500, abs=30)
    for old in (PROMPT_HZ, 1000.0):  # the partner's prompt, the first customer's tone
        assert band_rms(customer, rate, old) < 0.05 * band_rms(customer, rate, 1500.0)


def band_rms(signal: np.ndarray, rate: int, hz: float, width: float = 40.0) -> float:
    """Root-mean-square magnitude of the spectrum within `width` Hz of `hz`."""
    spectrum = np.abs(np.fft.rfft(signal.astype(np.float64)))
    freqs = np.fft.rfftfreq(len(signal), 1 / rate)
    band = spectrum[np.abs(freqs - hz) <= width]
    return float(np.sqrt(np.mean(band * band)))


def test_a_second_endpoint_is_refused_and_a_failed_start_leaves_none() -> None:
    """pjsua2 aborts the process on a second Endpoint: a second Phone gets an error instead;
    a stopped Phone's cyclic garbage is collected on another thread without pjlib aborting;
    and a Phone that cannot bind its port leaves nothing behind that blocks the next one."""
    env = {**os.environ, "PYTHONPATH": str(HERE.parent.parent)}
    done = subprocess.run([sys.executable, str(HERE / "ivr_endpoint_child.py")],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["first"] == "started"
    assert report["collected"] == "ok"  # a stopped Phone's garbage is freed safely anywhere
    assert report["second_while_first_runs"].startswith("EndpointBusyError: ")
    assert report["on_a_taken_port"] != "started"
    assert "EndpointBusyError" not in report["on_a_taken_port"]
    assert report["after_both"] == "started"
