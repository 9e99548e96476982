"""Voice cues over a finished stereo call recording (channel 0 agent/system, 1 customer)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from agent_assist.duplicate_voice import duplicate_voice_cue, find_duplicate_voices
from agent_assist.events import Leg, VoiceCue
from agent_assist.voice_cues import PolicyholderRecord, voice_cues
from agent_assist.voice_features import VoiceFeatures, measure_voice
from agent_assist.voiceprint import SAME_VOICE_THRESHOLD, TooLittleSpeechError, VoiceprintEncoder
from agent_assist.voiceprint_index import VoiceprintSearch
from asr.codec import Pcm16
from asr.errors import AudioInputError
from asr.wavfile import read_audio

CHANNEL_LEGS = (Leg.AGENT.value, Leg.CUSTOMER.value)


@dataclass(frozen=True, slots=True)
class RecordingVoiceReport:
    """The customer leg's voice features and every identity cue the recording gives."""

    customer: VoiceFeatures
    cues: tuple[VoiceCue, ...]


def analyse_recording_voice(
    path: Path,
    record: PolicyholderRecord,
    today: date,
    index: VoiceprintSearch | None = None,
    threshold: float = SAME_VOICE_THRESHOLD,
    max_duration_s: float | None = None,
) -> RecordingVoiceReport:
    """Customer-leg cues against the record; with an index, the duplicate-voice search too."""
    clip = read_audio(path, max_duration_s)
    if clip.channels > 2:
        raise AudioInputError(str(path), f"{clip.channels} channels: expected agent + customer")
    # A mono file is taken as the customer's voice alone (e.g. an exported customer leg).
    customer = clip.legs(CHANNEL_LEGS)[Leg.CUSTOMER] if clip.channels == 2 else clip.mono16k()
    return customer_voice_report(customer, record, today, index, threshold)


def customer_voice_report(
    customer: Pcm16,
    record: PolicyholderRecord,
    today: date,
    index: VoiceprintSearch | None = None,
    threshold: float = SAME_VOICE_THRESHOLD,
) -> RecordingVoiceReport:
    """The customer leg's features and cues (VoiceMeasurementError if too little voice)."""
    features = measure_voice(customer)
    cues = voice_cues(features, record, Leg.CUSTOMER, today)
    if index is not None and len(index):
        duplicate = _duplicate_cue(customer, record, index, threshold)
        cues += [duplicate] if duplicate else []
    return RecordingVoiceReport(features, tuple(cues))


def _duplicate_cue(
    customer: Pcm16, record: PolicyholderRecord, index: VoiceprintSearch, threshold: float
) -> VoiceCue | None:
    try:
        voiceprint = VoiceprintEncoder().embed(customer)
    except TooLittleSpeechError:
        return None  # enough voice for Praat, too little for a trustworthy voiceprint
    return duplicate_voice_cue(find_duplicate_voices(index, voiceprint, record, threshold))
