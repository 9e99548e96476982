"""A call's stored transcript: utterances added as they are heard (the live pass), a whole
pass replaced after the call, and the one a reader should see."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from agent_assist.events import Leg
from asr.events import Transcript
from storage.transcript_models import CallUtterance, TranscriptPass


@dataclass(frozen=True)
class StoredTranscript:
    """One pass of a call's transcript, in time order (pass None: nothing stored)."""

    transcript_pass: TranscriptPass | None
    lines: list[CallUtterance]


def add_utterance(session: Session, call_id: int, heard: Transcript,
                  transcript_pass: TranscriptPass = TranscriptPass.LIVE) -> CallUtterance:
    """Store one final utterance (an unlabelled stream's is the customer's)."""
    row = CallUtterance(
        call_id=call_id, transcript_pass=transcript_pass, leg=Leg(heard.leg or Leg.CUSTOMER),
        start_ms=round(heard.start * 1000), end_ms=round(heard.end * 1000), text=heard.text,
    )  # fmt: skip
    session.add(row)
    return row


def replace_transcript(session: Session, call_id: int, transcript_pass: TranscriptPass,
                       heard: Iterable[Transcript]) -> None:
    """The pass's utterances replaced by these (an after-call pass decoded again)."""
    session.execute(
        delete(CallUtterance).where(
            CallUtterance.call_id == call_id, CallUtterance.transcript_pass == transcript_pass
        )
    )
    for utterance in heard:
        if utterance.is_final and utterance.text:
            add_utterance(session, call_id, utterance, transcript_pass)


def call_transcript(session: Session, call_id: int,
                    prefer: tuple[TranscriptPass, ...] = (TranscriptPass.AFTER_CALL,
                                                          TranscriptPass.LIVE)) -> StoredTranscript:
    """The first pass in `prefer` that has lines: a review wants the after-call pass, the
    agent's screen the live one (what they saw)."""
    for wanted in prefer:
        query = (
            select(CallUtterance)
            .where(CallUtterance.call_id == call_id, CallUtterance.transcript_pass == wanted)
            .order_by(CallUtterance.start_ms, CallUtterance.id)
        )
        lines = list(session.scalars(query))
        if lines:
            return StoredTranscript(wanted, lines)
    return StoredTranscript(None, [])
