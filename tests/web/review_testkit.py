"""The review console's test data on top of web_testkit's seeded app: flags on both agents'
calls, a recording for ann's call, and 李明 — who sold both policies — as a reviewer."""

from __future__ import annotations

import math
import random
import struct
import wave
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from web_testkit import PASSWORD

from agent_assist.events import Category, CueKind, Flag, Leg, Severity, VoiceCue
from huifang.web.user_accounts import add_user
from storage.analysis import store_flags
from storage.database import Database
from storage.models import CallDirection, CallRecord, Policy, User, UserRole
from storage.repository import Repository

# The customer repeats the seller's promise and reads out his mobile number.
PROMISE = "业务员说这个保本保息，有事打他手机13912345678"
PROMISE_MASKED = "业务员说这个保本保息，有事打他手机139****5678"
PROMISE_SPAN = (6, 10)  # 保本保息
RAISED = datetime(2024, 11, 6, 9, 30, tzinfo=UTC)
SELLER = "李明"  # salesperson of policies …0001 (ann's call) and …0002 (bob's call)


@dataclass(frozen=True)
class ReviewSeed:
    """Ids the review tests use."""

    promise_flag: int  # misleading sale, high, on ann's call
    duplicate_flag: int  # duplicate voice on ann's call, pointing at bob's policy
    voice_flag: int  # gender mismatch, medium, on bob's call
    recording: Path  # ann's call's WAV


def seed_review(db: Database, call_of: dict[str, int], folder: Path) -> ReviewSeed:
    """Flags on the seeded calls, a recording for ann's, and the seller as a reviewer."""
    recording = write_tone_wav(folder / "ann-call.wav", seconds=2.0)
    with db.session() as session:
        add_user(session, SELLER, UserRole.REVIEWER, PASSWORD)
        ann_call = session.get(CallRecord, call_of["ann"])
        bob_call = session.get(CallRecord, call_of["bob"])
        assert ann_call is not None and bob_call is not None
        ann_call.recording_path = str(recording)
        ann_call.ended_at = ann_call.started_at.replace(minute=ann_call.started_at.minute + 1)
        promise = Flag(
            rule_id="induce.guaranteed_return", category=Category.INDUCEMENT,
            subcategory="保本保息", severity=Severity.HIGH, leg=Leg.CUSTOMER, text=PROMISE,
            start=0.5, end=1.5, span=PROMISE_SPAN, explanation="承诺保本保息属于诱导",
        )  # fmt: skip
        duplicate = VoiceCue(
            kind=CueKind.DUPLICATE_VOICE, severity=Severity.MEDIUM, leg=Leg.CUSTOMER,
            message="该声音还回答过其他保单的回访", reasons=("相似度 0.91",), confidence=0.91,
            other_policies=(("8644012024110002", 0.91), ("8600000000000099", 0.85)),
        )  # fmt: skip
        voice = VoiceCue(
            kind=CueKind.GENDER_MISMATCH, severity=Severity.MEDIUM, leg=Leg.CUSTOMER,
            message="声音像男性，投保人为女性", reasons=("基频 110 Hz",), confidence=0.7,
        )  # fmt: skip
        first, second = store_flags(session, ann_call, [promise, duplicate], raised_at=RAISED)
        (third,) = store_flags(session, bob_call, [voice], raised_at=RAISED)
        return ReviewSeed(first.id, second.id, third.id, recording)


def user_id(db: Database, name: str) -> int:
    """The id of a seeded user."""
    with db.session() as session:
        found = session.query(User).filter_by(username=name).one()
        return found.id


def write_tone_wav(path: Path, seconds: float, rate: int = 8000) -> Path:
    """A mono 16-bit WAV of a 440 Hz tone: a real file for the player and Range requests."""
    frames = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * n / rate)))
        for n in range(int(seconds * rate))
    )
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return path


# The lines a busy queue's flags quote: the customer repeating a seller's promise, with times.
BUSY_LINES = [
    ("induce.guaranteed_return", Category.INDUCEMENT, "保本保息/稳赚/承诺收益", Severity.HIGH,
     "业务员说这个保本保息，每年稳赚", (6, 10)),
    ("deceive.as_deposit", Category.DECEPTION, "保险说成存款/理财/基金", Severity.HIGH,
     "他说跟存银行一样，随时能取", (3, 6)),
    ("conceal.surrender_loss", Category.CONCEALMENT, "隐瞒退保损失", Severity.MEDIUM,
     "没人跟我说退保会亏钱", (6, 8)),
    ("conceal.cooling_off", Category.CONCEALMENT, "隐瞒犹豫期权利", Severity.LOW,
     "犹豫期是什么我不清楚", (0, 3)),
]  # fmt: skip


def seed_flagged_calls(db: Database, count: int, seed: int = 20) -> list[int]:
    """`count` ended calls over the seeded policies, each with one to three rule flags of
    varied severity raised over a month: a queue as busy as a centre's. Their ids, in order."""
    rng = random.Random(seed)
    first = datetime(2024, 10, 1, 8, tzinfo=UTC)
    ids = []
    with db.session() as session:
        policies = list(session.scalars(select(Policy).order_by(Policy.id)))
        for n in range(count):
            policy = policies[n % len(policies)]
            started = first + timedelta(minutes=43 * n + rng.randrange(30))
            call = Repository(session).start_call(policy, CallDirection.OUTBOUND,
                                                  f"sip:{n}@pbx", started_at=started)
            call.ended_at = started + timedelta(minutes=4)
            flags = []
            for line in rng.sample(BUSY_LINES, rng.randrange(1, 4)):
                rule_id, category, subcategory, severity, text, span = line
                at = rng.uniform(5, 200)
                flags.append(Flag(rule_id=rule_id, category=category, subcategory=subcategory,
                                  severity=severity, leg=Leg.CUSTOMER, text=text, start=at,
                                  end=at + 2.5, span=span, explanation="客户转述的销售误导"))
            store_flags(session, call, flags, raised_at=started + timedelta(minutes=5))
            session.flush()
            ids.append(call.id)
    return ids
