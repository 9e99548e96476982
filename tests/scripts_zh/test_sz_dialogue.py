"""The automated callback driven by scripted timelines (milliseconds, no audio, no SIP)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import pytest
from sz_fixtures import HangUp, Key, Silence, make_policy, run_call, spoken

from scripts_zh.answer_class import AnswerClass
from scripts_zh.dialogue import CallbackDialogue
from scripts_zh.dialogue_events import (
    AnswerSource,
    CallEnded,
    CallOutcome,
    DialogueEvent,
    EventKind,
    ItemConfirmed,
    ProblemItem,
    ProblemReason,
    Prompt,
    PromptPurpose,
    SurrenderOrComplaint,
    TransferToHuman,
)
from scripts_zh.script_loader import script_for
from scripts_zh.script_schema import AnswerKind

# The 分红 script for a regular-premium policy: identity, items 2-7, then 收益不确定.
ALL_YES = [
    "是我",
    "一九六五年三月八号",
    "是我自己签的",
    "看过了，都明白",
    "清楚",
    "知道的",
    "清楚",
    "晓得，交十年嘛",
    "知道红利不保证",
]


def _ended(events: Sequence[DialogueEvent]) -> CallEnded:
    last = events[-1]
    assert isinstance(last, CallEnded)
    return last


def test_all_items_confirmed() -> None:
    dialogue = run_call(make_policy(), spoken(ALL_YES))
    confirmed = [e for e in dialogue.events if isinstance(e, ItemConfirmed)]
    assert {e.item for e in confirmed if e.item} == set(range(1, 8))
    assert [e.step_id for e in confirmed] == [s.id for s in dialogue.steps]
    ended = _ended(dialogue.events)
    assert ended.outcome is CallOutcome.ALL_CONFIRMED and ended.problems == ()
    assert ended.at_ms == 8_000 + 8 * 6_000 + 1_200
    closing = dialogue.events[-2]
    assert isinstance(closing, Prompt) and closing.purpose is PromptPurpose.CLOSING
    assert "再见" in closing.text
    assert dialogue.finished and dialogue.on_answer("是的", 99_000, 99_500) == []


def test_events_are_immutable_and_kinded() -> None:
    dialogue = run_call(make_policy(), spoken(ALL_YES[:1]))
    event = dialogue.events[-2]
    assert event.kind is EventKind.ITEM_CONFIRMED
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.kind = EventKind.PROMPT  # type: ignore[misc]


def test_unsure_about_surrender_loss_becomes_a_problem_item_with_evidence() -> None:
    answers = [*ALL_YES[:5], "不清楚", "还是不太清楚", "知道的", "清楚", "知道", "知道"]
    dialogue = run_call(make_policy(), spoken(answers))
    problems = [e for e in dialogue.events if isinstance(e, ProblemItem)]
    assert len(problems) == 1
    problem = problems[0]
    assert (problem.step_id, problem.item, problem.reason) == (
        "surrender_loss",
        5,
        ProblemReason.UNSURE,
    )
    assert problem.problem_kind == "concealment"
    assert [(e.text, e.start_ms, e.end_ms) for e in problem.evidence] == [
        ("不清楚", 38_000, 39_200),
        ("还是不太清楚", 44_000, 45_200),
    ]
    assert all(e.answer_class is AnswerClass.UNSURE for e in problem.evidence)
    explained = [
        e for e in dialogue.events if isinstance(e, Prompt) and e.purpose is PromptPurpose.EXPLAIN
    ]
    assert [e.step_id for e in explained] == ["surrender_loss"] and "现金价值" in explained[0].text
    ended = _ended(dialogue.events)
    assert ended.outcome is CallOutcome.COMPLETED_WITH_PROBLEMS and ended.problems == (
        "surrender_loss",
    )


def test_confirmed_after_explanation_is_fine_normally_but_a_problem_when_special() -> None:
    answers = [*ALL_YES[:5], "不清楚", "现在清楚了"]
    plain = run_call(make_policy(), spoken(answers))
    assert "surrender_loss" in {e.step_id for e in plain.events if isinstance(e, ItemConfirmed)}
    special = run_call(
        make_policy(special_attention=True), spoken(["是我", "402X", "是的", "是的", *answers[3:]])
    )
    problem = next(e for e in special.events if isinstance(e, ProblemItem))
    assert (problem.step_id, problem.reason) == ("surrender_loss", ProblemReason.NEEDED_EXPLANATION)


def test_keypad_only_call() -> None:
    policy = make_policy(holder_id_last4="4021")
    keys = ["1", "4", "0", "2", "1"] + ["1"] * 7
    timeline = [Key(5_000 + i * 4_000, digit) for i, digit in enumerate(keys)]
    dialogue = run_call(policy, timeline)
    ended = _ended(dialogue.events)
    assert ended.outcome is CallOutcome.ALL_CONFIRMED and ended.not_reached == ()
    identity = next(
        e
        for e in dialogue.events
        if isinstance(e, ItemConfirmed) and e.step_id == "identity_record"
    )
    assert identity.evidence[0].text == "4021" and identity.evidence[0].source is AnswerSource.DTMF


def test_keypad_two_on_a_deny_step_is_the_compliant_answer() -> None:
    policy = make_policy(special_attention=True)
    dialogue = run_call(policy, [Key(1_000, "1"), *spoken(["四零二叉"])])
    step_ids = [s.id for s in dialogue.steps]
    for i, step_id in enumerate(step_ids[2:]):
        digit = "2" if dialogue.script.step(step_id).expects is AnswerKind.DENY else "1"
        dialogue.on_dtmf(digit, 20_000 + i * 3_000)
    assert _ended(dialogue.events).outcome is CallOutcome.ALL_CONFIRMED


def test_salesperson_promised_returns_is_a_problem() -> None:
    dialogue = run_call(make_policy(special_attention=True), [])
    answers = {"identity_record": "一九六五年三月八号", "no_promised_returns": "有，他说保本保息"}
    at_ms = 10_000
    while (step := dialogue.current_step) is not None:
        compliant = "没有" if step.expects is AnswerKind.DENY else "是的"
        dialogue.on_answer(answers.get(step.id, compliant), at_ms, at_ms + 1_000)
        at_ms += 5_000
    problems = [e for e in dialogue.events if isinstance(e, ProblemItem)]
    assert [(p.step_id, p.reason, p.problem_kind) for p in problems] == [
        ("no_promised_returns", ProblemReason.DENIED, "inducement")
    ]
    assert _ended(dialogue.events).outcome is CallOutcome.COMPLETED_WITH_PROBLEMS


def test_human_requested_transfers() -> None:
    dialogue = run_call(make_policy(), spoken(["是我", "一九六五年三月八号", "我要转人工"]))
    kinds = [e.kind for e in dialogue.events[-3:]]
    assert kinds == [EventKind.PROMPT, EventKind.TRANSFER, EventKind.CALL_ENDED]
    transfer = dialogue.events[-2]
    assert isinstance(transfer, TransferToHuman) and transfer.step_id == "purchase_and_signature"
    ended = _ended(dialogue.events)
    assert ended.outcome is CallOutcome.TRANSFERRED
    assert ended.confirmed == ("identity_name", "identity_record")
    assert ended.not_reached[0] == "purchase_and_signature"


def test_keypad_zero_transfers() -> None:
    dialogue = run_call(make_policy(), [Key(3_000, "0")])
    assert _ended(dialogue.events).outcome is CallOutcome.TRANSFERRED


def test_surrender_wish_is_recorded_and_handed_over() -> None:
    dialogue = run_call(make_policy(), spoken([*ALL_YES[:6], "我不想要了，我要退保"]))
    recorded = next(e for e in dialogue.events if isinstance(e, SurrenderOrComplaint))
    assert recorded.step_id == "cooling_off" and recorded.evidence.text == "我不想要了，我要退保"
    problem = next(e for e in dialogue.events if isinstance(e, ProblemItem))
    assert problem.reason is ProblemReason.SURRENDER_OR_COMPLAINT
    assert _ended(dialogue.events).outcome is CallOutcome.TRANSFERRED


def test_silent_customer_ends_as_no_response() -> None:
    dialogue = run_call(make_policy(), [Silence(10_000), Silence(20_000), Silence(30_000)])
    retries = [
        e for e in dialogue.events if isinstance(e, Prompt) and e.purpose is PromptPurpose.RETRY
    ]
    assert len(retries) == 1  # retried once, then the explanation, then given up
    problem = next(e for e in dialogue.events if isinstance(e, ProblemItem))
    assert problem.reason is ProblemReason.NO_ANSWER and len(problem.evidence) == 3
    assert all(e.source is AnswerSource.TIMEOUT for e in problem.evidence)
    ended = _ended(dialogue.events)
    assert ended.outcome is CallOutcome.NO_RESPONSE and ended.at_ms == 30_000


def test_one_silence_then_an_answer_carries_on() -> None:
    dialogue = run_call(make_policy(), [Silence(10_000), *spoken(["是我"], start_ms=12_000)])
    confirmed = next(e for e in dialogue.events if isinstance(e, ItemConfirmed))
    assert [e.source for e in confirmed.evidence] == [AnswerSource.TIMEOUT, AnswerSource.SPEECH]


def test_not_the_policyholder_ends_politely() -> None:
    dialogue = run_call(make_policy(), spoken(["不是，我是她女儿"]))
    problem = next(e for e in dialogue.events if isinstance(e, ProblemItem))
    assert problem.reason is ProblemReason.NOT_POLICYHOLDER
    assert _ended(dialogue.events).outcome is CallOutcome.IDENTITY_FAILED
    farewell = dialogue.events[-2]
    assert isinstance(farewell, Prompt) and "王秀英女士本人" in farewell.text


def test_someone_else_by_name_is_not_the_policyholder() -> None:
    dialogue = run_call(make_policy(), spoken(["对，我是李华"]))
    problem = next(e for e in dialogue.events if isinstance(e, ProblemItem))
    assert problem.reason is ProblemReason.NOT_POLICYHOLDER
    assert _ended(dialogue.events).outcome is CallOutcome.IDENTITY_FAILED


def test_wrong_birthday_twice_fails_identity() -> None:
    dialogue = run_call(make_policy(), spoken(["是我", "一九六六年三月八号", "一九六六年三月九号"]))
    problem = next(e for e in dialogue.events if isinstance(e, ProblemItem))
    assert problem.reason is ProblemReason.IDENTITY_MISMATCH and len(problem.evidence) == 2
    assert _ended(dialogue.events).outcome is CallOutcome.IDENTITY_FAILED


def test_hang_up_mid_call() -> None:
    dialogue = run_call(make_policy(), [*spoken(["是我"]), HangUp(12_000)])
    ended = _ended(dialogue.events)
    assert ended.outcome is CallOutcome.HUNG_UP and ended.confirmed == ("identity_name",)


def test_single_premium_skips_the_payment_item() -> None:
    dialogue = run_call(make_policy(payment_years=1), spoken([*ALL_YES[:7], ALL_YES[8]]))
    assert "payment_period" not in [s.id for s in dialogue.steps]
    assert _ended(dialogue.events).outcome is CallOutcome.ALL_CONFIRMED


def test_an_unclear_answer_is_decided_by_the_second_listen_but_never_on_the_id_step() -> None:
    policy = make_policy()
    dialogue = CallbackDialogue(script_for(policy), policy)
    dialogue.start()
    texts = dialogue.second_listen("碎头")  # Whisper's 碎头 for 对头
    assert texts[0] == "碎头" and "对头" in texts
    assert dialogue.second_listen("是我") == ()  # clear already
    scores = [-5.0 if text == "碎头" else -4.0 if text == "对头" else -30.0 for text in texts]
    heard = dialogue.on_answer("碎头", 0, 400, scores)
    assert any(isinstance(e, Prompt) and e.step_id == "identity_record" for e in heard)
    assert dialogue.second_listen("碎头") == ()  # the birthday is checked against the record
