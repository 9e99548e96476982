"""Customers who answer by voice (espeak-ng Mandarin over G.722), recognised by Whisper.

Both calls run at once (two peers, two `huifang call` processes) to keep the suite short.
The name and the identity digits are keyed (Whisper base does not recognise espeak-ng's digit
strings); every later item is answered by voice.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from callback_testkit import CallRun, CustomerPeer, call_env, policy_file, run_call, spoken_answer
from recording_testkit import check_answer_words, check_recording, spoken_answers

from asr.engines import load_engine
from huifang.settings import asr_config, get_settings
from zhtext.pinyin import toneless_pinyin

pytestmark = pytest.mark.slow
SINGLE_PREMIUM = {"payment_years": 0, "payment_frequency": "趸交"}  # item 7 does not apply
UNSURE = "我没听懂，不太清楚"


@dataclass(frozen=True)
class SpokenRun:
    """A finished call and what its customer said: the WAVs in order, and each WAV's text."""

    run: CallRun
    said: list[Path]
    texts: dict[Path, str]


def _spoken_call(directory: Path, surrender_answers: list[str]) -> SpokenRun:
    """Yes by voice to every item, keys for the ID digits, `surrender_answers` on item 5."""
    answers = directory / "answers"
    texts = {spoken_answer(text, answers): text for text in ["对", *surrender_answers]}
    yes = spoken_answer("对", answers)
    surrender = [f"start+1:say:{spoken_answer(text, answers)}" for text in surrender_answers]
    # Spare yeses: a customer asked again (a misheard answer is retried) says it again. Four
    # after the last item, not two: a lone espeak 对 is heard as 喂 about one time in six, and
    # this test failed once in eleven runs with two (2026-12-07; its texts were not kept).
    # The name and the ID digits are keyed: a spoken yes misheard there (a lone espeak 对 as the
    # call's first words came out as 喂 in a CI run) is asked again while the peer, whose turns
    # are fixed, keys the digits: out of step. Every spoken answer has the spares after it.
    turns = ["end:key:1", "start+1:key:4021", *[f"start+1:say:{yes}"] * 3, *surrender,
             *[f"start+1:say:{yes}"] * 5]
    peer = CustomerPeer(*turns, codec="G722")
    try:
        run = run_call([peer.uri, "--policy-json", str(policy_file(directory, **SINGLE_PREMIUM))],
                       call_env(directory / "rec"), timeout=110)
    finally:
        peer.kill()
    return SpokenRun(run, spoken_answers(peer.seen), texts)


@pytest.fixture(scope="module")
def spoken_calls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, SpokenRun]:
    """A confirming customer and one unsure about surrender loss, called side by side."""
    plans = {"confirming": ["对"], "unsure_on_surrender": [UNSURE, UNSURE]}
    with ThreadPoolExecutor(len(plans)) as pool:
        futures = {name: pool.submit(_spoken_call, tmp_path_factory.mktemp(name), answers)
                   for name, answers in plans.items()}
        return {name: future.result() for name, future in futures.items()}


@pytest.fixture(scope="module")
def spoken_runs(spoken_calls: dict[str, SpokenRun]) -> dict[str, CallRun]:
    """The two calls' `huifang call` runs."""
    return {name: call.run for name, call in spoken_calls.items()}


def _outcome(run: CallRun) -> dict[str, Any]:
    assert run.status == 0, run.stderr
    assert run.outcome is not None
    return run.outcome


def test_spoken_answers_confirm_every_item(spoken_runs: dict[str, CallRun]) -> None:
    outcome = _outcome(spoken_runs["confirming"])
    heard = [(e["step_id"], e["evidence"]["text"]) for e in outcome["events"]
             if e["type"] == "scripts_zh.AnswerHeard"]
    assert outcome["dialogue"]["outcome"] == "all_confirmed", heard
    sources = [item["evidence"][-1]["source"] for item in outcome["confirmed"]]
    assert sources == ["dtmf", "dtmf", "speech", "speech", "speech", "speech", "speech"]
    # Each spoken confirmation is the customer's 对 as the recogniser wrote it: 对, 对。, 对对 or a
    # same-sound character (队), never some other word taken for a yes.
    confirmed_by = [item["evidence"][-1]["text"] for item in outcome["confirmed"]
                    if item["evidence"][-1]["source"] == "speech"]
    assert all(_sounds_like_dui(text) for text in confirmed_by), (confirmed_by, heard)
    assert outcome["audio_frames_dropped"] == 0


def _sounds_like_dui(text: str) -> bool:
    """Whether every syllable of the text is dui (punctuation aside)."""
    syllables = [s for s in toneless_pinyin(text) if s.isalpha() and s.isascii()]
    return bool(syllables) and set(syllables) == {"dui"}


def test_speech_barges_in_on_a_question(spoken_runs: dict[str, CallRun]) -> None:
    run = spoken_runs["confirming"]
    asked = [e for e in run.events("callback.PromptPlayed")
             if e["purpose"] == "ask" and e["step_id"] == "documents_read"]
    assert len(asked) == 1
    prompt = asked[0]
    assert prompt["end"] == "stopped"
    starts = [e["start_sample"] * 1000 // e["sample_rate"] for e in run.events("asr.VadEvent")
              if e["kind"] == "speech_started"]
    barge = [ms for ms in starts if prompt["started_ms"] <= ms <= prompt["ended_ms"]]
    assert barge, "the prompt stopped without the customer speaking"
    assert prompt["ended_ms"] - barge[0] < 1000  # stopped within a second of the voice


def test_unsure_about_surrender_loss_becomes_a_problem_item_with_evidence(
        spoken_runs: dict[str, CallRun]) -> None:
    outcome = _outcome(spoken_runs["unsure_on_surrender"])
    timeline = [{k: v for k, v in e.items() if k in ("type", "step_id", "text", "ms", "at_ms",
                                                       "evidence", "answer_class", "digit")}
                for e in outcome["events"]]
    assert outcome["dialogue"]["outcome"] == "completed_with_problems", timeline
    assert outcome["dialogue"]["problems"] == ["surrender_loss"]
    (problem,) = outcome["problems"]
    assert problem["item"] == 5
    assert problem["reason"] == "unsure"
    heard = [e for e in problem["evidence"] if e["source"] == "speech"]
    assert len(heard) == 2  # asked, explained, asked again: unsure both times
    for evidence in heard:
        assert "清楚" in evidence["text"]
        assert evidence["answer_class"] == "unsure"
        assert 0 < evidence["start_ms"] < evidence["end_ms"]
    assert "cooling_off" in outcome["dialogue"]["confirmed"]  # the call went on after it


@pytest.mark.parametrize("name", ["confirming", "unsure_on_surrender"])
def test_recording_holds_the_prompts_and_the_spoken_answers(
        spoken_calls: dict[str, SpokenRun], name: str) -> None:
    call = spoken_calls[name]
    outcome = _outcome(call.run)
    assert call.said, "the peer spoke no answer"
    recording, spans = check_recording(outcome, answers=call.said)
    engine = load_engine(asr_config(get_settings()))
    texts = [call.texts[wav] for wav in call.said][: len(spans)]  # the recorded ones
    check_answer_words(recording, spans, texts, engine)
