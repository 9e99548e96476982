"""A finished call's hints as the agent screen got them live: each stored flag turned back
into the event it was (a Hint with its words for the agent, a VoiceCue), in the websocket's
JSON, so the screen shows a stored call with the same code as a live one."""

from __future__ import annotations

from typing import Any

from agent_assist.events import Category, CueKind, Flag, Leg, VoiceCue
from agent_assist.hints import hint_for
from huifang.web.event_json import event_json
from storage.analysis_models import CallFlag, FlagKind

# The flags the screen showed live: rule hits as hints, voice cues as cues.
_AS_HINT = (FlagKind.MISLEADING_SALE, FlagKind.WHOLE_CALL)
_AS_CUE = (FlagKind.VOICE_CUE, FlagKind.DUPLICATE_VOICE)


def stored_hint_events(flags: list[CallFlag], *, masked: bool) -> list[dict[str, Any]]:
    """The call's hints and cues as {"type", "event"} JSON, in call order."""
    events: list[dict[str, Any]] = []
    for row in flags:
        event = _hint(row) if row.kind in _AS_HINT else _cue(row) if row.kind in _AS_CUE else None
        if event is not None:
            events.append(event_json(event, masked=masked))
    return events


def _hint(row: CallFlag) -> Any:
    try:
        category = Category(row.category)
    except ValueError:
        return None
    start = (row.start_ms or 0) / 1000
    flag = Flag(
        rule_id=row.rule_id, category=category, subcategory=row.subcategory,
        severity=row.severity, leg=row.leg or Leg.CUSTOMER, text=row.utterance, start=start,
        end=(row.end_ms or row.start_ms or 0) / 1000,
        span=(row.span_start or 0, row.span_end or 0), explanation=row.explanation,
        suggested_wording=row.suggested_wording, attributed=row.attributed,
        via_pinyin=row.via_pinyin,
    )  # fmt: skip
    return hint_for(flag)


def _cue(row: CallFlag) -> VoiceCue | None:
    try:
        kind = CueKind(row.rule_id)
    except ValueError:
        return None
    return VoiceCue(
        kind=kind, severity=row.severity, leg=row.leg or Leg.CUSTOMER, message=row.explanation,
        reasons=tuple(str(reason) for reason in row.reasons), confidence=row.confidence or 0.0,
        other_policies=tuple((p.policy_no, p.score or 0.0) for p in row.policies),
    )  # fmt: skip
