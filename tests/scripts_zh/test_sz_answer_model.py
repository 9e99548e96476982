"""The learned guess at an answer the rules left unclear: never a yes, only above its
threshold, read from plain arrays; and where it sits after the rules and the second listen."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sz_fixtures import make_policy

from scripts_zh.answer_class import AnswerClass
from scripts_zh.answer_hearing import hear_answer, second_listen
from scripts_zh.answer_model import AnswerModel, AnswerModelError
from scripts_zh.dialogue import CallbackDialogue
from scripts_zh.dialogue_events import TransferToHuman
from scripts_zh.script_loader import script_for

A = AnswerClass


def toy_model(threshold: float = 0.6) -> AnswerModel:
    """员工 (as Whisper hears 人工) means a person, 雷 (是嘞 heard 是雷) a yes."""
    features = ["p:yuan gong", "c:员工", "c:雷", "p:lei"]
    weights = np.array([[0, 0, 4, 4],    # affirmative
                        [4, 4, 0, 0],    # human
                        [0, 0, 0, 0]],   # other
                       np.float32)
    return AnswerModel(index={f: i for i, f in enumerate(features)},
                       idf=np.ones(len(features), np.float32),
                       classes=(A.AFFIRMATIVE, A.HUMAN, A.OTHER), weights=weights,
                       intercepts=np.zeros(3, np.float32), threshold=threshold)


def test_a_confident_guess_is_taken() -> None:
    model = toy_model()
    assert model.probabilities("转员工")[A.HUMAN] > 0.6
    assert model.guess("转员工") is A.HUMAN


def test_the_model_never_makes_a_yes() -> None:
    model = toy_model()
    assert max(model.probabilities("是雷").items(), key=lambda kv: kv[1])[0] is A.AFFIRMATIVE
    assert model.guess("是雷") is A.OTHER


def test_below_the_threshold_or_unknown_text_is_other() -> None:
    assert toy_model(threshold=0.999).guess("转员工") is A.OTHER
    assert toy_model().guess("今天天气") is A.OTHER  # no known n-gram: every class alike


def test_it_takes_only_what_the_rules_left_as_other() -> None:
    model = toy_model()
    assert hear_answer("不是员工", None, model) is A.NEGATIVE  # the rules' own class stands
    assert hear_answer("转员工", None, model) is A.HUMAN
    assert hear_answer("转员工", None, None) is A.OTHER


def test_a_yes_the_model_finds_unlikely_is_asked_again() -> None:
    """Two readers must agree on a yes: 员工是我 reads as a person to the toy model."""
    model = toy_model()
    assert hear_answer("对", None, model) is A.AFFIRMATIVE  # no known gram: not doubted
    assert model.doubts_yes("员工是我", 0.1)
    assert hear_answer("员工是我", None, None) is A.AFFIRMATIVE  # 员工: the yes's topic
    assert hear_answer("员工是我", None, model) is A.OTHER


def test_it_comes_after_the_second_listen() -> None:
    """The audio decides first; the model only guesses what the audio left unclear."""
    texts = second_listen("转员工")
    unclear = [0.0] + [-40.0] * (len(texts) - 1)
    assert hear_answer("转员工", unclear, toy_model()) is A.HUMAN
    clear_no = [0.0 if text in ("转员工", "不是") else -40.0 for text in texts]
    assert hear_answer("转员工", clear_no, toy_model()) is A.NEGATIVE


def test_saved_and_loaded_without_pickle(tmp_path: Path) -> None:
    path = tmp_path / "answers.npz"
    toy_model().save(path)
    loaded = AnswerModel.load(path)
    assert loaded.classes == toy_model().classes and loaded.threshold == pytest.approx(0.6)
    assert loaded.guess("转员工") is A.HUMAN


def test_an_unreadable_model_file_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "broken.npz"
    bad.write_bytes(b"not an npz")
    with pytest.raises(AnswerModelError, match=r"broken\.npz"):
        AnswerModel.load(bad)
    with pytest.raises(AnswerModelError, match=r"missing\.npz"):
        AnswerModel.load(tmp_path / "missing.npz")


def test_the_dialogue_acts_on_the_guess() -> None:
    """转员工 (Whisper's 转人工) on a yes/no step: with the model, a transfer."""
    policy = make_policy()
    for model, transfers in ((None, False), (toy_model(), True)):
        dialogue = CallbackDialogue(script_for(policy), policy, answer_model=model)
        dialogue.start()
        dialogue.on_answer("是我", 8_000, 9_000)
        dialogue.on_answer("一九六五年三月八号", 14_000, 16_000)
        events = dialogue.on_answer("转员工", 20_000, 21_000)
        assert any(isinstance(e, TransferToHuman) for e in events) is transfers


def test_no_guess_at_digits_and_dates() -> None:
    """The identity-record step checks what was said against the record, never a guess."""
    policy = make_policy()
    dialogue = CallbackDialogue(script_for(policy), policy, answer_model=toy_model())
    dialogue.start()
    dialogue.on_answer("是我", 8_000, 9_000)
    events = dialogue.on_answer("转员工", 14_000, 15_000)
    assert not any(isinstance(e, TransferToHuman) for e in events)
