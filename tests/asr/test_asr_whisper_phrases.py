"""The closed-vocabulary second listen: texts scored against real audio by the Whisper model."""

from __future__ import annotations

from asr_testkit import fixture_audio, whisper_engine

from asr.engines import TextScorer

SAID = "甚至出现交易几乎停滞的情况"


def test_what_was_said_scores_above_other_texts_and_above_its_own_start() -> None:
    engine = whisper_engine()
    assert isinstance(engine, TextScorer)
    audio = fixture_audio("s3tokenizer_BAC009S0764W0121.wav")
    said, start, other, empty = engine.score_texts(audio, [SAID, "甚至出现", "今天天气很好", ""])
    assert said > start + 3  # the end of text after a half-said sentence is unlikely
    assert said > other + 10
    assert empty < said


def test_a_text_scores_as_its_likelier_script_and_nothing_to_score_is_nothing() -> None:
    engine = whisper_engine()
    assert isinstance(engine, TextScorer)
    audio = fixture_audio("s3tokenizer_BAC009S0764W0121.wav")
    simplified, traditional = engine.score_texts(audio, [SAID, "甚至出現交易幾乎停滯的情況"])
    assert simplified >= traditional  # simplified text is also tried in traditional script
    assert engine.score_texts(audio, []) == []
