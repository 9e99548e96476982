"""The outcome of an automated callback: how the SIP call ended and what the dialogue found."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from agent_assist.events import Flag, VoiceCue
from asr.stream import StreamCounters
from huifang.calls.events import SessionEvent
from ivr.call_leg import MediaInfo
from ivr.events import CallEnded
from scripts_zh.dialogue import CallbackDialogue
from scripts_zh.dialogue_events import CallEnded as DialogueEnded
from scripts_zh.dialogue_events import ItemConfirmed, ProblemItem, TransferToHuman


@dataclass(frozen=True)
class CallbackOutcome:
    """What a reviewer (and storage) needs of one callback; JSON via `outcome_json`."""

    policy_no: str
    script_id: str
    script_version: str
    sip_uri: str
    call: CallEnded  # ivr: completed, peer_hung_up, busy, no_answer, transferred …
    dialogue: DialogueEnded | None  # None when the call was never answered
    confirmed: tuple[ItemConfirmed, ...]
    problems: tuple[ProblemItem, ...]
    transfer: TransferToHuman | None
    audio_frames_dropped: int  # customer audio lost before the recogniser (target 0)
    events: tuple[SessionEvent, ...]
    media: MediaInfo | None = None  # the negotiated codec, once audio flowed
    media_frames_dropped: int = 0  # ivr: frames lost by its tap queues and the recorder
    # What the checks raised (misleading-sale and whole-call flags, voice cues), and the
    # checks this deployment does not run (the duplicate-voice search with voiceprints off).
    findings: tuple[Flag | VoiceCue, ...] = ()
    checks_skipped: tuple[str, ...] = ()

    @property
    def completed(self) -> bool:
        """The customer answered and the script ran (to its end, a hang-up or a transfer)."""
        return self.call.answered and self.dialogue is not None


def outcome_of(dialogue: CallbackDialogue, uri: str, ended: CallEnded,
               events: list[SessionEvent], counters: StreamCounters | None) -> CallbackOutcome:
    """Combine the call's end with the dialogue's events."""
    finals = [e for e in dialogue.events if isinstance(e, DialogueEnded)]
    transfers = [e for e in dialogue.events if isinstance(e, TransferToHuman)]
    return CallbackOutcome(
        policy_no=dialogue.policy.policy_no,
        script_id=dialogue.script.script_id,
        script_version=dialogue.script.version,
        sip_uri=uri,
        call=ended,
        dialogue=finals[-1] if finals and ended.answered else None,
        confirmed=tuple(e for e in dialogue.events if isinstance(e, ItemConfirmed)),
        problems=tuple(e for e in dialogue.events if isinstance(e, ProblemItem)),
        transfer=transfers[-1] if transfers else None,
        audio_frames_dropped=counters.chunks_dropped if counters else 0,
        events=tuple(events),
    )


def event_json(event: SessionEvent | Flag | VoiceCue) -> dict[str, Any]:
    """One event as JSON-ready data, its type named with the package that made it."""
    source = type(event).__module__.split(".")[0]
    source = "callback" if source == "huifang" else source
    return {"type": f"{source}.{type(event).__name__}", **dataclasses.asdict(event)}


def outcome_json(outcome: CallbackOutcome, *, with_events: bool = False) -> dict[str, Any]:
    """The outcome as JSON-ready data (enums are strings); the event list only on request."""
    data: dict[str, Any] = {
        "completed": outcome.completed,
        **{f.name: getattr(outcome, f.name) for f in dataclasses.fields(outcome)
           if f.name not in ("events", "findings")},
    }
    data["findings"] = [event_json(finding) for finding in outcome.findings]
    data["checks_skipped"] = list(outcome.checks_skipped)
    for key in ("call", "dialogue", "transfer", "media"):
        value = data[key]
        data[key] = None if value is None else dataclasses.asdict(value)
    for key in ("confirmed", "problems"):
        data[key] = [dataclasses.asdict(item) for item in data[key]]
    if with_events:
        data["events"] = [event_json(event) for event in outcome.events]
    return data
