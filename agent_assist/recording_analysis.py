"""The whole analysis of a finished call recording: transcript per leg, flags, voice cues."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from agent_assist.duplicate_voice import duplicate_voice_cue, find_duplicate_voices
from agent_assist.engine import AssistFactory
from agent_assist.events import Flag, Leg, Utterance, VoiceCue, as_utterance
from agent_assist.recording_voice import CHANNEL_LEGS, customer_voice_report
from agent_assist.voice_cues import PolicyholderRecord
from agent_assist.voice_features import VoiceMeasurementError
from agent_assist.voiceprint import (
    SAME_VOICE_THRESHOLD,
    TooLittleSpeechError,
    Voiceprint,
    VoiceprintEncoder,
)
from agent_assist.voiceprint_index import VoiceprintSearch
from asr.codec import Pcm16
from asr.engines.base import Engine
from asr.errors import AudioInputError
from asr.events import Undecodable
from asr.transcribe import transcribe_leg
from asr.wavfile import read_audio


@dataclass(frozen=True, slots=True)
class RecordingAnalysis:
    """What one recording gave: its transcript, rule flags, voice cues, and why cues are absent."""

    duration_s: float
    utterances: tuple[Utterance, ...]
    flags: tuple[Flag, ...]  # real-time rules, per final utterance
    whole_call: tuple[Flag, ...]
    cues: tuple[VoiceCue, ...]
    voice_note: str = ""  # e.g. no policy record, or too little voice to measure
    voiceprint: Voiceprint | None = None  # the customer's, when one was asked for
    undecodable: tuple[Undecodable, ...] = ()  # speech heard that gave no text, per leg


def _legs(path: Path, max_duration_s: float | None) -> tuple[float, dict[Leg, Pcm16]]:
    clip = read_audio(path, max_duration_s)
    if clip.channels > 2:
        raise AudioInputError(str(path), f"{clip.channels} channels: expected agent + customer")
    if clip.channels == 1:  # a mono file is taken as the customer's side alone
        return clip.duration_s, {Leg.CUSTOMER: clip.mono16k()}
    return clip.duration_s, {Leg(name): pcm for name, pcm in clip.legs(CHANNEL_LEGS).items()}


def _transcript(engine: Engine, legs: dict[Leg, Pcm16]
                ) -> tuple[list[Utterance], tuple[Undecodable, ...]]:
    """The after-call pass per leg (whole leg, long windows) where the engine has one."""
    decoded = [transcribe_leg(engine, pcm, leg.value) for leg, pcm in legs.items()]
    heard = sorted((r for d in decoded for r in d.finals), key=lambda r: r.start)
    lost = sorted((u for d in decoded for u in d.undecodable), key=lambda u: u.start)
    return [as_utterance(r) for r in heard], tuple(lost)


def analyse_call_recording(
    path: Path,
    factory: AssistFactory,
    engine: Engine | None,
    record: PolicyholderRecord | None,
    today: date,
    *,
    index: VoiceprintSearch | None = None,
    threshold: float = SAME_VOICE_THRESHOLD,
    max_duration_s: float | None = None,
    want_voiceprint: bool = False,
) -> RecordingAnalysis:
    """Transcribe (when an engine is given), run the rules, and measure the customer's voice.

    With an index, the customer's voiceprint is searched among other policyholders' (the
    duplicate-voice cue); want_voiceprint returns it too, for storing. AudioInputError when the
    file cannot be read; a voice too short to measure only leaves a note, since the
    transcript's flags still stand.
    """
    duration, legs = _legs(path, max_duration_s)
    utterances, lost = _transcript(engine, legs) if engine is not None else ([], ())
    call = factory.new_call()
    flags = [flag for u in utterances for flag in call.on_utterance(u)]
    whole_call = call.end_call() if engine is not None else []
    cues: tuple[VoiceCue, ...] = ()
    note = ""
    customer = legs[Leg.CUSTOMER]
    searching = record is not None and index is not None and len(index) > 0
    voiceprint = _voiceprint(customer) if want_voiceprint or searching else None
    if record is None:
        note = "no policy record: voice cues skipped"
    else:
        try:
            cues = customer_voice_report(customer, record, today).cues
        except VoiceMeasurementError as err:
            note = f"customer leg: {err}: voice cues skipped"
        if searching and voiceprint is not None and index is not None:
            found = find_duplicate_voices(index, voiceprint, record, threshold)
            duplicate = duplicate_voice_cue(found)
            cues += (duplicate,) if duplicate else ()
    return RecordingAnalysis(
        duration, tuple(utterances), tuple(flags), tuple(whole_call), cues, note,
        voiceprint if want_voiceprint else None, lost,
    )


@lru_cache(maxsize=1)
def _encoder() -> VoiceprintEncoder:
    """One encoder per process: loading it takes seconds."""
    return VoiceprintEncoder()


def _voiceprint(customer: Pcm16) -> Voiceprint | None:
    try:
        return _encoder().embed(customer)
    except TooLittleSpeechError:
        return None  # enough voice for Praat perhaps, too little for a trustworthy voiceprint
