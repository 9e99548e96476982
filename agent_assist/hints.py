"""Words for the agent's screen: a Hint for each Flag."""

from __future__ import annotations

from agent_assist.events import Flag, Hint, Leg


def _who(flag: Flag) -> str:
    if flag.leg == Leg.AGENT:
        return "坐席自己的表述"
    return "客户转述" if flag.attributed else "客户表述"


def hint_for(flag: Flag) -> Hint:
    """The hint an agent reads: who said what, which misleading-sale kind, what to say."""
    quoted = f"「{flag.matched}」" if flag.matched else ""
    message = f"{_who(flag)}{quoted}：{flag.category}·{flag.subcategory}。{flag.explanation}"
    return Hint(flag=flag, message=message, suggested_wording=flag.suggested_wording)
