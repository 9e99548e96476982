"""Recordings' utterances decoded again with wider context and voted, on a fake decoder."""

from __future__ import annotations

import numpy as np
import pytest

from asr.codec import PIPELINE_RATE
from asr.context_vote import parse_contexts, vote_leg
from asr.events import LegDecode, Transcript, TranscriptKind, Undecodable

SAMPLES = np.zeros(10 * PIPELINE_RATE, dtype=np.int16)


def final(text: str, start: float, end: float) -> Transcript:
    return Transcript(TranscriptKind.FINAL, text, start, end, "customer")


class Decoder:
    """Answers by the width of the stretch it is given; remembers what it was given."""

    def __init__(self, answers: dict[int, str]) -> None:
        self.answers = answers
        self.cuts: list[tuple[float, float]] = []

    def __call__(self, audio: np.ndarray, offset_s: float) -> str:
        self.cuts.append((round(offset_s, 3), round(offset_s + len(audio) / PIPELINE_RATE, 3)))
        return self.answers.get(len(self.cuts), "")


def test_no_contexts_leave_the_leg_as_it_was() -> None:
    decoded = LegDecode((final("你好", 1.0, 2.0),))
    assert vote_leg(decoded, SAMPLES, Decoder({}), ()) is decoded


def test_two_wider_decodes_agreeing_replace_a_character() -> None:
    decoded = LegDecode((final("我要转员工", 1.0, 2.0),))
    voted = vote_leg(decoded, SAMPLES, Decoder({1: "我要转人工", 2: "我要转人工"}),
                     ((300, 300), (500, 500)))
    assert [f.text for f in voted.finals] == ["我要转人工"]
    assert voted.finals[0].leg == "customer"
    assert (voted.finals[0].start, voted.finals[0].end) == (1.0, 2.0)


def test_context_stops_at_the_neighbours_speech_and_the_leg() -> None:
    decoded = LegDecode((final("一", 0.1, 1.0), final("二", 1.2, 2.0), final("三", 9.8, 9.9)))
    decoder = Decoder({})
    vote_leg(decoded, SAMPLES, decoder, ((500, 500),))
    assert decoder.cuts == [(0.0, 1.2), (1.0, 2.5), (9.3, 10.0)]


def test_an_undecodable_stretch_gets_text_when_the_others_agree_and_stays_reported_if_not(
        ) -> None:
    decoded = LegDecode((), (Undecodable(1.0, 2.0, "customer"), Undecodable(4.0, 5.0, "agent")))
    voted = vote_leg(decoded, SAMPLES, Decoder({1: "对", 2: "对", 3: "嗯", 4: ""}),
                     ((300, 300), (500, 500)))
    assert [(f.text, f.start, f.leg) for f in voted.finals] == [("对", 1.0, "customer")]
    assert voted.undecodable == (Undecodable(4.0, 5.0, "agent"),)


def test_a_final_the_others_empty_becomes_undecodable_not_lost() -> None:
    decoded = LegDecode((final("字", 1.0, 2.0),))
    voted = vote_leg(decoded, SAMPLES, Decoder({}), ((300, 300), (500, 500)))
    assert voted.finals == ()
    assert voted.undecodable == (Undecodable(1.0, 2.0, "customer"),)


def test_contexts_are_parsed_and_a_bad_one_named() -> None:
    assert parse_contexts("300:300, 500:500") == ((300, 300), (500, 500))
    assert parse_contexts("") == ()
    with pytest.raises(ValueError, match="'300-300' is not BEFORE_MS:AFTER_MS"):
        parse_contexts("300:300,300-300")
