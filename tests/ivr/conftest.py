"""Fixtures for the ivr tests: one Phone per pytest process, tone WAVs, killable peers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from ivr_testkit import (
    MEDIA_TIMEOUT_S,
    PROMPT_HZ,
    PeerProcess,
    PhoneRig,
    SippProcess,
    running_phone,
    write_tone,
)

from ivr.config import SipConfig


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PhoneRig]:
    """pjsua2 allows one Endpoint per process: every test of a module shares this one, and
    it is stopped before the next module (the web tests start Phones of their own)."""
    recordings = tmp_path_factory.mktemp("recordings")
    config = SipConfig(bind_address="127.0.0.1", port=0, transport="udp+tcp",
                       codecs=("PCMU", "PCMA", "G722", "L16"), media_timeout_s=MEDIA_TIMEOUT_S,
                       ring_timeout_s=10.0, recordings_dir=recordings)
    with running_phone(config) as rig:
        yield rig


@pytest.fixture(autouse=True)
def no_call_outlives_its_test(request: pytest.FixtureRequest,
                              spawn_peer: Callable[..., PeerProcess],
                              spawn_sipp: Callable[..., SippProcess]) -> Iterator[None]:
    """A failed test must not leave calls holding the endpoint's few call slots.

    It asks for the peer fixtures so that it is torn down before them: calls are hung up
    while their peers still answer. A call to a peer already killed keeps its slot until
    the INVITE transaction times out (32 s), which starved the tests after it.
    """
    yield
    if "rig" in request.fixturenames:
        rig: PhoneRig = request.getfixturevalue("rig")
        rig.run(rig.phone.hangup_all(5), timeout=10)


@pytest.fixture(scope="session")
def wavs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Tone WAVs: our prompt at 600 Hz; customer voices at 1000, 1500 and 5000 Hz."""
    d = tmp_path_factory.mktemp("wavs")
    return {
        "prompt": write_tone(d / "prompt.wav", PROMPT_HZ, 1.0),
        "long_prompt": write_tone(d / "long_prompt.wav", PROMPT_HZ, 6.0),
        "customer_1000": write_tone(d / "c1000.wav", 1000, 3.0),
        "customer_1500": write_tone(d / "c1500.wav", 1500, 3.0),
        "customer_5000": write_tone(d / "c5000.wav", 5000, 3.0),
    }


@pytest.fixture
def spawn_peer() -> Iterator[Callable[..., PeerProcess]]:
    """Start pjsua2 peers; every one is killed at teardown."""
    peers: list[PeerProcess] = []

    def spawn(*args: str) -> PeerProcess:
        peer = PeerProcess(*args)
        peers.append(peer)
        return peer

    yield spawn
    for peer in peers:
        peer.kill()


@pytest.fixture
def spawn_sipp(tmp_path: Path) -> Iterator[Callable[..., SippProcess]]:
    """Start SIPp runs; every one is killed at teardown."""
    runs: list[SippProcess] = []

    def spawn(scenario: str, *args: str, **kwargs: Any) -> SippProcess:
        run = SippProcess(scenario, *args, workdir=tmp_path, **kwargs)
        runs.append(run)
        return run

    yield spawn
    for run in runs:
        run.kill()
