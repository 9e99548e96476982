"""Whose leg spoke: customers quoting salespeople, agents saying forbidden things."""

from __future__ import annotations

from assist_fixtures import flags, rule_ids

from agent_assist.events import Leg
from agent_assist.hints import hint_for


def test_agent_promise_is_an_agent_leg_flag() -> None:
    (flag,) = flags("这个产品保本保息，您放心", Leg.AGENT)
    assert flag.leg == Leg.AGENT
    assert hint_for(flag).message.startswith("坐席自己的表述「保本保息」")


def test_customer_quoting_salesperson_hint() -> None:
    (flag,) = flags("业务员说保本保息")
    assert flag.leg == Leg.CUSTOMER
    assert hint_for(flag).message.startswith("客户转述「保本保息」")
    assert hint_for(flag).suggested_wording == flag.suggested_wording


def test_agent_script_questions_do_not_flag() -> None:
    for text in [
        "业务员有没有向您承诺保本保息",
        "销售人员是否承诺过高收益",
        "请问您是投保人本人吗",
    ]:
        assert flags(text, Leg.AGENT) == []


def test_customer_only_rules_ignore_the_agent_leg() -> None:
    text = "业务员没说有什么情况不赔"
    assert "conceal.exclusions" in rule_ids(text, Leg.CUSTOMER)
    assert "conceal.exclusions" not in rule_ids(text, Leg.AGENT)


def test_asr_transcripts_adapt_to_utterances() -> None:
    from agent_assist.events import Leg, as_utterance
    from asr.events import Transcript, TranscriptKind

    labelled = Transcript(TranscriptKind.FINAL, "业务员说保本", 1.0, 2.5, leg="agent")
    unlabelled = Transcript(TranscriptKind.PARTIAL, "保本", 0.0, 0.5)
    assert as_utterance(labelled).leg is Leg.AGENT
    assert (as_utterance(labelled).start, as_utterance(labelled).end) == (1.0, 2.5)
    assert as_utterance(unlabelled).leg is Leg.CUSTOMER
    assert as_utterance(unlabelled).final is False
