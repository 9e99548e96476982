"""Real calls between the Phone under test and pjsua2 peer processes on loopback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from conftest import PROMPT_HZ, PhoneRig
from ivr_testkit import PeerProcess, dominant_hz, loudest_window, read_wav, rms

from ivr.call import Call
from ivr.events import AudioFrame, Leg
from ivr.frame_queue import FrameQueue
from ivr.outcome import CallOutcome
from ivr.prompt import PromptEnd

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
