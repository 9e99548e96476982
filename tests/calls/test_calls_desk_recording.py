"""The live desk's calls name their recording from the start, as outbound callbacks do: a
process killed mid-call leaves a record that a restart settles with the (repaired) recording
linked. A fake phone on a real database; no SIP, no model."""

from __future__ import annotations

import asyncio
import wave
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from callback_fakes import ScriptedEngine
from every_kind_testkit import HOLDERS, write_policies

from huifang.calls.bridged import DeskLine
from huifang.calls.bus import InProcessEventBus
from huifang.calls.desk import LiveDesk
from huifang.calls.pipeline import CallPipeline
from huifang.settings import Settings
from ivr.config import SipConfig
from ivr.events import CallEnded, Leg
from ivr.frame_queue import FrameQueue
from ivr.outcome import CallOutcome
from storage.database import Database, open_database
from storage.models import CallRecord, User, UserRole
from storage.policy_import import import_policy_file
from storage.recovery import INTERRUPTED, settle_open_calls


class LiveCall:
    """An answered call that stays up until hung up; its recording is what it was told."""

    def __init__(self, record_to: Path | None, answer: bool) -> None:
        self.record_to = record_to
        self.answer = answer
        self._end: asyncio.Future[CallEnded] = asyncio.get_running_loop().create_future()
        self._taps: list[FrameQueue] = []
        if not answer:
            self._ended(CallOutcome.NO_ANSWER)

    @property
    def ended(self) -> bool:
        """True once hung up."""
        return self._end.done()

    async def wait_answered(self, timeout: float) -> bool:
        """Answered at once, or never."""
        return self.answer

    async def wait_media(self, timeout: float) -> None:
        """Audio is there at once."""

    def tap(self, leg: Leg, max_frames: int | None = None) -> FrameQueue:
        """No frames; closed at the end."""
        frames = FrameQueue(asyncio.get_running_loop(), max_frames or 50)
        self._taps.append(frames)
        return frames

    async def hangup(self, status_code: int = 0) -> None:
        """We end the call."""
        self._ended(CallOutcome.COMPLETED)

    async def wait_ended(self, timeout: float) -> CallEnded:
        """How it ended."""
        return await asyncio.wait_for(asyncio.shield(self._end), timeout)

    def _ended(self, outcome: CallOutcome) -> None:
        if self.ended:
            return
        for frames in self._taps:
            frames.close()
        recording = str(self.record_to) if self.answer and self.record_to else None
        self._end.set_result(CallEnded("fake", outcome, 200, "OK", self.answer, 1.0, recording))


class DeskPhone:
    """Places LiveCalls; notes, for each INVITE, the recording path the call's record held
    in the database as it went out."""

    def __init__(self, config: SipConfig, database: Database, *, answer: bool = True) -> None:
        self.config = config
        self.database = database
        self.answer = answer
        self.dialled: list[tuple[str, Path | None, str | None]] = []
        self.calls: list[LiveCall] = []
        self.bridged = asyncio.Event()

    async def place_call(self, uri: str, *, record_to: Path | None = None,
                         ring_timeout_s: float | None = None) -> LiveCall:
        """An INVITE: what the newest record held then is noted."""
        with self.database.session() as session:
            newest = session.query(CallRecord).order_by(CallRecord.id.desc()).first()
            stored = newest.recording_path if newest is not None else None
        self.dialled.append((uri, record_to, stored))
        call = LiveCall(record_to, self.answer)
        self.calls.append(call)
        return call

    async def bridge(self, a: LiveCall, b: LiveCall) -> None:
        """The two calls hear each other."""
        self.bridged.set()


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = open_database(f"sqlite:///{tmp_path / 'desk.db'}")
    import_policy_file(db, write_policies(tmp_path / "policies.csv"))
    yield db
    db.close()


def _desk(tmp_path: Path, database: Database, *, answer: bool = True) -> tuple[LiveDesk,
                                                                              DeskPhone]:
    settings = Settings(_env_file=None, db_url="sqlite://", tts_engine="espeak",
                        prompt_cache=str(tmp_path / "prompts"))
    sip = SipConfig(bind_address="127.0.0.1", port=0, recordings_dir=tmp_path / "rec")
    desk = LiveDesk(settings, InProcessEventBus(), sip=sip)
    phone = DeskPhone(sip, database, answer=answer)
    pipeline = CallPipeline(ScriptedEngine(), None, database=database)
    desk._line = DeskLine(phone, pipeline, database, desk.agents, 60.0)  # type: ignore[arg-type]
    return desk, phone


def _agent(database: Database) -> int:
    with database.session() as session:
        agent = User(username="ann", password_hash="x", role=UserRole.AGENT, active=True,
                     created_at=datetime.now(UTC))
        session.add(agent)
        session.flush()
        return agent.id


def _wav(path: Path, seconds: float) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\0\0\0\0" * int(16000 * seconds))


def _call(database: Database, call_id: int) -> CallRecord:
    with database.session() as session:
        call = session.get(CallRecord, call_id)
        assert call is not None
        session.expunge(call)
        return call


def test_a_bridged_call_left_open_by_a_dead_process_is_settled_with_its_recording(
        tmp_path: Path, database: Database) -> None:
    async def scenario() -> None:
        desk, phone = _desk(tmp_path, database)
        call_id = await desk.start_callback(_agent(database), HOLDERS[0].policy_no,
                                            "sip:ann@agent", "sip:13900000000@gw")
        await asyncio.wait_for(phone.bridged.wait(), 10)
        (_, agent_rec, _), (uri, customer_rec, stored) = phone.dialled
        assert uri == "sip:13900000000@gw"
        assert customer_rec is not None and customer_rec.parent == tmp_path / "rec"
        assert stored == str(customer_rec)  # in the database before the customer was dialled
        assert agent_rec is None  # the agent's own leg: where the phone records by default
        open_call = _call(database, call_id)
        assert open_call.ended_at is None and open_call.recording_path == str(customer_rec)

        _wav(customer_rec, 3.0)  # what the recorder wrote (repaired by the next Phone.start)
        # The process dies here: a restart finds the call open and its owner gone.
        (settled,) = settle_open_calls(database, lambda owner: False)
        assert (settled.call_id, settled.recording) == (call_id, str(customer_rec))
        after = _call(database, call_id)
        assert after.outcome == INTERRUPTED and after.recording_path == str(customer_rec)
        assert after.ended_at is not None
        for call in phone.calls:
            await call.hangup()
        await desk.wait_call(call_id, 10)

    asyncio.run(scenario())


def test_a_bridged_call_that_ends_keeps_the_recording_named_at_its_start(
        tmp_path: Path, database: Database) -> None:
    async def scenario() -> None:
        desk, phone = _desk(tmp_path, database)
        call_id = await desk.start_callback(_agent(database), HOLDERS[1].policy_no,
                                            "sip:ann@agent", "sip:13900000001@gw")
        await asyncio.wait_for(phone.bridged.wait(), 10)
        customer_rec = phone.dialled[1][1]
        await phone.calls[1].hangup()  # the customer hangs up
        await desk.wait_call(call_id, 10)
        ended = _call(database, call_id)
        assert ended.ended_at is not None and ended.outcome == CallOutcome.COMPLETED.value
        assert ended.recording_path == str(customer_rec)

    asyncio.run(scenario())


def test_a_robot_callback_names_its_recording_before_dialling_and_drops_it_unanswered(
        tmp_path: Path, database: Database) -> None:
    async def scenario() -> None:
        desk, phone = _desk(tmp_path, database, answer=False)
        call_id = await desk.start_robot_callback(HOLDERS[2].policy_no, "sip:139@gw")
        await desk.wait_call(call_id, 10)
        ((uri, record_to, stored),) = phone.dialled
        assert uri == "sip:139@gw"
        assert record_to is not None and stored == str(record_to)
        unanswered = _call(database, call_id)
        assert unanswered.outcome == CallOutcome.NO_ANSWER.value
        assert unanswered.recording_path is None  # no file was ever written

    asyncio.run(scenario())
