"""The callback dialogue gets the learned answer guess from its options, and a broken model
file costs the guess, never the call."""

from __future__ import annotations

from datetime import date

import pytest

from huifang.calls import options as options_module
from huifang.calls.options import CallbackOptions
from scripts_zh.answer_model import AnswerModel, AnswerModelError
from scripts_zh.policy import PolicyRecord, ProductFamily

POLICY = PolicyRecord("P1", ProductFamily.TRADITIONAL, "康宁终身寿险", "王秀英", "女士",
                      date(1965, 3, 8), "402X", "王秀英", 5000, 10, "年交")


def test_the_dialogue_has_the_model_when_the_options_say_so() -> None:
    assert isinstance(CallbackOptions().new_dialogue(POLICY).answer_model, AnswerModel)
    assert CallbackOptions(learned_answers=False).new_dialogue(POLICY).answer_model is None


def test_a_broken_model_file_costs_only_the_guess(monkeypatch: pytest.MonkeyPatch,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> AnswerModel:
        raise AnswerModelError("cannot read answer model /x/answer_model.npz: truncated")

    monkeypatch.setattr(options_module, "default_model", broken)
    dialogue = CallbackOptions().new_dialogue(POLICY)
    assert dialogue.answer_model is None and dialogue.start()
    assert "learned answers off for this call" in caplog.text
