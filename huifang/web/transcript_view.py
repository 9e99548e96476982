"""A call's transcript as the screens show it: the stored pass a reader wants (the review the
after-call pass, the agent the live one), else what the dialogue heard, with the characters
each flag matched marked; masked by role."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel
from sqlalchemy.orm import Session

from storage.analysis_models import CallFlag
from storage.models import CallRecord
from storage.transcript_models import TranscriptPass
from storage.transcripts import call_transcript
from zhtext.personal_numbers import mask_personal_numbers

# A flag's utterance and a stored line are the same words when they start this close.
_SAME_START_MS = 300


class Mark(BaseModel):
    """Characters [start, end) of a transcript line that a flag matched."""

    start: int
    end: int
    flag_id: int


class TranscriptLine(BaseModel):
    """One utterance of the call, in time order, with the flagged characters marked."""

    leg: str
    start_ms: int
    end_ms: int
    text: str
    marks: list[Mark]
    # Where the line comes from: the shown pass, a flag's own words (not in that pass), or
    # the answers the dialogue heard (no transcript stored).
    origin: str = "transcript"


class TranscriptOut(BaseModel):
    """The lines, and which pass they are: live, after_call, or None (answers and flags only)."""

    transcript_pass: str | None
    lines: list[TranscriptLine]


def marked_transcript(session: Session, call: CallRecord, flags: Iterable[CallFlag], *,
                      masked: bool, prefer: tuple[TranscriptPass, ...]) -> TranscriptOut:
    """The transcript with the flags' evidence marked; a flag whose words are not in it adds
    its own line (a reviewer never loses evidence to a differently decoded pass)."""
    text = mask_personal_numbers if masked else str
    stored = call_transcript(session, call.id, prefer)
    lines = [
        TranscriptLine(leg=u.leg.value, start_ms=u.start_ms, end_ms=u.end_ms, text=u.text,
                       marks=[])
        for u in stored.lines
    ] or _heard_answers(call)  # fmt: skip
    for flag in flags:
        if not flag.utterance or flag.start_ms is None:
            continue
        line = _line_of(lines, flag)
        if line is None:
            line = TranscriptLine(
                leg=flag.leg.value if flag.leg else "customer", start_ms=flag.start_ms,
                end_ms=flag.end_ms or flag.start_ms, text=flag.utterance, marks=[],
                origin="flag",
            )  # fmt: skip
            lines.append(line)
        if flag.span_start is not None and flag.span_end is not None:
            line.marks.append(Mark(start=flag.span_start, end=flag.span_end, flag_id=flag.id))
    # Masking keeps the length, so the marks' character spans still fit.
    shown = [line.model_copy(update={"text": text(line.text)}) for line in lines]
    shown.sort(key=lambda line: (line.start_ms, line.leg))
    pass_name = stored.transcript_pass.value if stored.transcript_pass else None
    return TranscriptOut(transcript_pass=pass_name, lines=shown)


def _heard_answers(call: CallRecord) -> list[TranscriptLine]:
    """Without a stored transcript: the customer's spoken answers the dialogue kept."""
    seen: set[tuple[int, str]] = set()
    lines = []
    for answer in call.answers:
        for heard in answer.evidence:
            if heard.source == "speech" and (heard.start_ms, heard.text) not in seen:
                seen.add((heard.start_ms, heard.text))
                lines.append(TranscriptLine(leg="customer", start_ms=heard.start_ms,
                                            end_ms=heard.end_ms, text=heard.text, marks=[],
                                            origin="answer"))
    return lines


def _line_of(lines: list[TranscriptLine], flag: CallFlag) -> TranscriptLine | None:
    """The line holding the flag's utterance: same words, about the same start."""
    assert flag.start_ms is not None
    for line in lines:
        if line.text == flag.utterance and abs(line.start_ms - flag.start_ms) <= _SAME_START_MS:
            return line
    return None
