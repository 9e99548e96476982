"""`huifang analyze RECORDING --policy-json FILE`: voice identity cues as JSON lines."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from pathlib import Path

from agent_assist.events import VoiceCue
from agent_assist.policyholder_input import PolicyholderInputError, policyholder_from_json
from agent_assist.recording_voice import analyse_recording_voice
from agent_assist.voice_cues import PolicyholderRecord
from agent_assist.voice_features import VoiceMeasurementError
from agent_assist.voiceprint_index import SIDECAR_FILE, VoiceprintIndex
from asr.errors import AudioInputError
from huifang.commands.common import EXIT_BAD_INPUT, report_error
from huifang.settings import get_settings


def cue_json(cue: VoiceCue) -> dict[str, object]:
    return {
        "cue": cue.kind.value, "severity": cue.severity.value, "leg": cue.leg.value,
        "message": cue.message, "reasons": list(cue.reasons),
        "confidence": round(cue.confidence, 3),
    }


def stored_index() -> VoiceprintIndex | None:
    settings = get_settings()
    directory = Path(settings.voiceprints_dir)
    if not (directory / SIDECAR_FILE).exists():
        return None
    return VoiceprintIndex.open(directory, settings.store_voiceprints)


def analyze_recording(
    recording: Path, policy_json: Path | None, stored: PolicyholderRecord | None = None
) -> int:
    """Print the customer leg's features, then one JSON line per cue; 2 on unusable input.

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
    features = {k: round(v, 4) for k, v in asdict(report.customer).items() if k != "narrowband"}
    line = {"leg": "customer", "features": features, "narrowband": report.customer.narrowband}
    print(json.dumps(line, ensure_ascii=False), flush=True)
    for cue in report.cues:
        print(json.dumps(cue_json(cue), ensure_ascii=False), flush=True)
    return 0
