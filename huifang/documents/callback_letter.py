"""The callback letter (回访函): the questions of the policy's own callback script, each with
是/否/不清楚 boxes, and a reply slip (回执) to sign and send back, as a printable PDF."""

from __future__ import annotations

from pathlib import Path

from huifang.documents.pdf import DEFAULT_FONT, Section, render_pdf
from scripts_zh.policy import PolicyRecord
from scripts_zh.prompts import render_prompt
from scripts_zh.script_loader import script_for
from scripts_zh.script_schema import AnswerKind, step_applies

_BOXES = "□ 是    □ 否    □ 不清楚"
# Asked on the phone to check who answers; on paper the signature on the slip does that.
_PHONE_ONLY = (AnswerKind.IDENTITY_RECORD, AnswerKind.IDENTITY_NAME)


def letter_questions(policy: PolicyRecord) -> list[str]:
    """The script's questions for this policy, as the letter asks them."""
    script = script_for(policy)
    return [render_prompt(step.prompt, policy).strip() for step in script.steps
            if step_applies(step, policy) and step.expects not in _PHONE_ONLY]  # fmt: skip


def letter_pdf(policy: PolicyRecord, *, deadline: str = "",
               font: Path = DEFAULT_FONT) -> bytes:  # fmt: skip
    """The letter for one policy, questions numbered, the reply slip at the end."""
    greeting = Section("", [
        f"尊敬的{policy.holder_name}{policy.holder_title}：",
        f"您好！感谢您投保{policy.company}的{policy.product_name}（保单号 {policy.policy_no}）。"
        "我们多次致电未能与您取得联系，现以信函方式向您回访。请您逐项阅读并勾选，"
        "在回执上亲笔签名后寄回。" + (f"请于 {deadline} 前寄回。" if deadline else ""),
        f"您的犹豫期为 {policy.cooling_off_days} 天，自签收保单回执次日起算，"
        "犹豫期内可申请全额退费。",
    ])  # fmt: skip
    questions = Section("回访事项", [
        line for number, question in enumerate(letter_questions(policy), start=1)
        for line in (f"{number}. {question}", f"    {_BOXES}")
    ])
    slip = Section("回执（请沿此线剪下寄回）", [
        "- " * 40,
        f"保单号：{policy.policy_no}        投保人：{policy.holder_name}",
        "以上回访事项均由本人阅读并如实勾选。",
        "投保人签名：____________________        日期：______年____月____日",
        "联系电话（如有变更请填写）：____________________",
        "如有疑问或需要办理退保，请拨打客服热线，或在此写明：",
        "______________________________________________________________",
    ])  # fmt: skip
    return render_pdf("新契约回访函", [greeting, questions, slip], font=font)
