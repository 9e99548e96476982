"""`huifang analyze RECORDING --policy-json FILE`: a call's flags and voice cues as JSON lines.

First the customer leg's voice features, then the misleading-sale and whole-call flags of
both legs' transcripts (in call order), then the voice identity cues. Nothing is stored:
`huifang analyze DIR` stores.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from pathlib import Path

from agent_assist.engine import AssistFactory
from agent_assist.events import Flag, VoiceCue
from agent_assist.policyholder_input import PolicyholderInputError, policyholder_from_json
from agent_assist.recording_analysis import analyse_call_recording
from agent_assist.recording_voice import analyse_recording_voice
from agent_assist.rule_loader import RuleFileError
from agent_assist.voice_cues import PolicyholderRecord
from agent_assist.voice_features import VoiceMeasurementError
from agent_assist.voiceprint_index import VoiceprintStore
from asr.engines import load_engine
from asr.errors import AsrError, AudioInputError
from huifang.calls.voiceprints import stored_voiceprints
from huifang.commands.common import EXIT_BAD_INPUT, report_error
from huifang.settings import asr_config, get_settings


def flag_json(flag: Flag) -> dict[str, object]:
    """A rule flag with its leg, times, matched span and the utterance it came from."""
    return {
        "rule": flag.rule_id, "category": flag.category.value, "severity": flag.severity.value,
        "leg": flag.leg.value, "start": round(flag.start, 2), "end": round(flag.end, 2),
        "span": list(flag.span), "text": flag.text,
    }


def cue_json(cue: VoiceCue) -> dict[str, object]:
    """A voice identity cue, worded for the agent."""
    return {
        "cue": cue.kind.value, "severity": cue.severity.value, "leg": cue.leg.value,
        "message": cue.message, "reasons": list(cue.reasons),
        "confidence": round(cue.confidence, 3),
    }


def stored_index() -> VoiceprintStore | None:
    """The deployment's voiceprints to search, if it may hold any."""
    return stored_voiceprints(get_settings())


def speech_flags(recording: Path, max_audio_s: float) -> list[Flag]:
    """Both legs transcribed and run through the real-time and whole-call rules."""
    analysis = analyse_call_recording(
        recording, AssistFactory(learned_flags=get_settings().learned_flags),
        load_engine(asr_config(get_settings())), None,
        date.today(), max_duration_s=max_audio_s)
    return sorted((*analysis.flags, *analysis.whole_call), key=lambda f: (f.start, f.rule_id))


def analyze_recording(
    recording: Path, policy_json: Path | None, stored: PolicyholderRecord | None = None,
    *, transcribe: bool = True,
) -> int:
    """Print the customer leg's features, the speech flags, then the cues; 2 on bad input.

    The record comes from policy_json, else from `stored` (a policy of the database).
    """
    if policy_json is None and stored is None:
        problem = "voice cues need the policy record: add --policy-json FILE or --policy NO"
        report_error(str(recording), problem)
        return EXIT_BAD_INPUT
    settings = get_settings()
    try:
        record = policyholder_from_json(policy_json) if policy_json is not None else stored
        assert record is not None
        report = analyse_recording_voice(
            recording, record, date.today(), stored_index(),
            settings.voiceprint_threshold, settings.max_audio_s,
        )
    except PolicyholderInputError as err:
        report_error(str(policy_json), str(err).removeprefix(f"{policy_json}: "))
        return EXIT_BAD_INPUT
    except AudioInputError as err:
        report_error(err.source, err.problem)
        return EXIT_BAD_INPUT
    except VoiceMeasurementError as err:
        report_error(str(recording), f"customer leg: {err}")
        return EXIT_BAD_INPUT
    try:
        flags = speech_flags(recording, settings.max_audio_s) if transcribe else []
    except RuleFileError as err:
        report_error(str(err.path), f"line {err.line}: {err.problem}")
        return EXIT_BAD_INPUT
    except AsrError as err:
        report_error("speech engine", str(err))
        return EXIT_BAD_INPUT
    features = {k: round(v, 4) for k, v in asdict(report.customer).items() if k != "narrowband"}
    line = {"leg": "customer", "features": features, "narrowband": report.customer.narrowband}
    print(json.dumps(line, ensure_ascii=False), flush=True)
    for flag in flags:
        print(json.dumps(flag_json(flag), ensure_ascii=False), flush=True)
    for cue in report.cues:
        print(json.dumps(cue_json(cue), ensure_ascii=False), flush=True)
    return 0
