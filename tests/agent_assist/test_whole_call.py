"""Whole-call rules and the live-call engine."""

from __future__ import annotations

from assist_fixtures import factory

from agent_assist.events import Flag, Hint, Leg, Utterance

A, C = Leg.AGENT, Leg.CUSTOMER


def call(*turns: tuple[Leg, str]) -> list[Utterance]:
    """A call with one second per turn."""
    return [Utterance(leg, text, float(i), i + 0.9) for i, (leg, text) in enumerate(turns)]


def whole_call_ids(utterances: list[Utterance]) -> set[str]:
    return {flag.rule_id for flag in factory().whole_call.analyse(utterances)}


def test_surrender_loss_acknowledged() -> None:
    turns = call((A, "犹豫期后退保会有损失，您清楚吗"), (C, "清楚"))
    assert "call.surrender_loss_unacknowledged" not in whole_call_ids(turns)


def test_surrender_loss_not_acknowledged_points_at_the_answer() -> None:
    turns = call((A, "犹豫期后退保会有损失，您清楚吗"), (C, "不清楚，你说什么"), (C, "我不太明白"))
    (flag,) = [f for f in factory().whole_call.analyse(turns) if f.rule_id.startswith("call.surr")]
    assert flag.text == "不清楚，你说什么"
    assert flag.start == 1.0


def test_surrender_loss_never_raised() -> None:
    (flag,) = [
        f
        for f in factory().whole_call.analyse(call((A, "您好"), (C, "你好")))
        if f.rule_id == "call.surrender_loss_unacknowledged"
    ]
    assert flag.leg == A and flag.text == "" and flag.end == 1.9


def test_customer_asks_about_interest_three_times() -> None:
    turns = call(
        (A, "犹豫期后退保会有损失，您清楚吗"),
        (C, "知道。那利息有多少"),
        (C, "收益怎么算"),
        (C, "利息我不关心"),
        (C, "一年回报是几个点"),
    )
    flags = [f for f in factory().whole_call.analyse(turns) if f.rule_id.startswith("call.rep")]
    assert [f.text for f in flags] == ["一年回报是几个点"]
    assert flags[0].matched == "回报"


def test_two_questions_are_not_enough() -> None:
    turns = call((A, "退保有损失您了解吗"), (C, "了解，利息多少"), (C, "收益怎么算"))
    assert whole_call_ids(turns) == set()


def test_engine_emits_flags_and_hints_and_ignores_partials() -> None:
    events: list[Flag | Hint] = []
    live = factory().new_call(events.append)
    assert live.on_utterance(Utterance(C, "业务员说保本", 0.0, 1.0, final=False)) == []
    flags = live.on_utterance(Utterance(C, "业务员说保本保息", 1.0, 2.0))
    assert [type(e) for e in events] == [Flag, Hint]
    assert events[0] == flags[0]
    end_flags = live.end_call()
    assert [f.rule_id for f in end_flags] == ["call.surrender_loss_unacknowledged"]
    assert len(events) == 4


def test_recording_analysis_accepts_transcript_like_events() -> None:
    class Transcript:
        def __init__(self, text: str, leg: str) -> None:
            self.text, self.leg, self.start, self.end, self.final = text, leg, 0.0, 1.0, True

    flags = factory().analyse_recording([Transcript("他说不会亏", "customer")])
    assert flags[0].rule_id == "induce.guaranteed_return"
