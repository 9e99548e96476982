"""`huifang analyze DIR`: every recording of a folder analysed and stored, with a progress bar.

Each recording becomes (or updates) the call stored for its path, with its flags; its old
flags of the kinds analysed are replaced, so a second run over the same folder adds nothing.
A file that cannot be read is reported on one line and skipped; the exit status is then 2,
after everything else was processed and stored. Policies: see recording_policy.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from tqdm import tqdm

from agent_assist.engine import AssistFactory
from agent_assist.policyholder_input import PolicyholderInputError
from agent_assist.recording_analysis import RecordingAnalysis, analyse_call_recording
from agent_assist.rule_loader import RuleFileError
from agent_assist.voice_cues import PolicyholderRecord
from agent_assist.voiceprint import Voiceprint
from agent_assist.voiceprint_index import VoiceprintEntry, VoiceprintStore
from asr.engines import Engine, load_engine
from asr.errors import AsrError, AudioInputError
from asr.events import Transcript, TranscriptKind, TranscriptPass
from asr.wavfile import RAW_ENCODINGS
from huifang.calls.voiceprints import open_voiceprints, stored_voiceprints
from huifang.commands.analyze_voice import cue_json, flag_json
from huifang.commands.common import EXIT_BAD_INPUT, report_error
from huifang.commands.database_option import EXIT_DATABASE, open_db
from huifang.commands.recording_policy import (
    RecordingPolicy,
    given_policy,
    policy_for_recording,
)
from huifang.settings import asr_config, get_settings
from storage.analysis import call_for_recording, flag_row, replace_flags
from storage.analysis_models import CallFlag, FlagKind
from storage.database import Database
from storage.models import CallDirection, CallRecord
from storage.repository import Repository
from storage.transcripts import replace_transcript

SPEECH_KINDS = (FlagKind.MISLEADING_SALE, FlagKind.WHOLE_CALL)
VOICE_KINDS = (FlagKind.VOICE_CUE, FlagKind.DUPLICATE_VOICE)
AUDIO_SUFFIXES = frozenset({".wav", *RAW_ENCODINGS})


def recordings_in(folder: Path) -> list[Path]:
    """The folder's audio files (by suffix, not recursing), in name order."""
    return sorted(
        p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES
    )


def _say(where: str, problem: str) -> None:
    """One error line on stderr, without breaking the progress bar."""
    with tqdm.external_write_mode(file=sys.stderr):
        report_error(where, problem)


@dataclass
class _Run:
    """What every recording of one run shares."""

    db: Database
    factory: AssistFactory
    engine: Engine | None
    given: RecordingPolicy | None
    today: date
    index: VoiceprintStore | None  # stored voiceprints: searched, and added to where allowed
    store_voiceprints: bool


def _rows(result: RecordingAnalysis, when: datetime, with_speech: bool) -> list[CallFlag]:
    rows = [flag_row(cue, when) for cue in result.cues]
    if with_speech:
        rows += [flag_row(f, when, FlagKind.MISLEADING_SALE) for f in result.flags]
        rows += [flag_row(f, when, FlagKind.WHOLE_CALL) for f in result.whole_call]
    return rows


def _heard(result: RecordingAnalysis) -> list[Transcript]:
    """The utterances the flags were evaluated on, as the transcript to store."""
    return [Transcript(TranscriptKind.FINAL, u.text, u.start, u.end, u.leg.value)
            for u in result.utterances]


def _stored_call(repo: Repository, path: Path, policy_id: int | None) -> CallRecord:
    """The call stored for this recording, made on first sight (started at the file's time)."""
    call = call_for_recording(repo.session, str(path))
    if call is None:
        started = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        call = repo.start_call(None, CallDirection.OUTBOUND, path.as_uri(), started)
        call.recording_path = str(path)
    if policy_id is not None:  # a policy found now (e.g. a sidecar added since) is kept
        call.policy_id = policy_id
    return call


def _keep_voiceprint(
    index: VoiceprintStore, call_id: int, record: PolicyholderRecord, voiceprint: Voiceprint | None
) -> None:
    """The call's customer voiceprint, replacing the one an earlier run stored for it."""
    if voiceprint is None:
        index.remove_call(str(call_id))
        return
    entry = VoiceprintEntry(
        record.policyholder_id, record.policy_no, str(call_id), "customer",
        record.salesperson, record.team, record.outlet, record.branch,
    )
    index.replace_call(entry, voiceprint)


def _analyse_one(run: _Run, path: Path) -> dict[str, object]:
    """Analyse and store one recording; AudioInputError/PolicyholderInputError if unusable."""
    with run.db.session() as session:
        found = policy_for_recording(Repository(session), path, run.given)
        policy_id = found.policy.id if found.policy is not None else None
    settings = get_settings()
    result = analyse_call_recording(
        path, run.factory, run.engine, found.record, run.today, index=run.index,
        threshold=settings.voiceprint_threshold, max_duration_s=settings.max_audio_s,
        want_voiceprint=run.store_voiceprints,
    )
    kinds = (*VOICE_KINDS, *(SPEECH_KINDS if run.engine is not None else ()))
    # A separate transaction: transcribing can take a minute, and must not hold a write lock.
    with run.db.session() as session:
        repo = Repository(session)
        call = _stored_call(repo, path, policy_id)
        rows = _rows(result, datetime.now(UTC), run.engine is not None)
        replace_flags(session, call, kinds, rows)
        if run.engine is not None:  # the live pass, if any, stays as the agent saw it
            replace_transcript(session, call.id, TranscriptPass.AFTER_CALL, _heard(result))
        call_id = call.id
    if run.index is not None and run.store_voiceprints and found.record is not None:
        _keep_voiceprint(run.index, call_id, found.record, result.voiceprint)
    return {
        "file": str(path), "call_id": call_id,
        "policy": found.record.policy_no if found.record else None, "policy_from": found.source,
        "duration_s": round(result.duration_s, 2), "utterances": len(result.utterances),
        "undecodable": [[round(u.start, 2), round(u.end, 2)] for u in result.undecodable],
        "flags": [flag_json(f) for f in (*result.flags, *result.whole_call)],
        "cues": [cue_json(cue) for cue in result.cues],
        **({"note": result.voice_note} if result.voice_note else {}),
    }


def _start(args: argparse.Namespace, db: Database) -> _Run | None:
    """Rules, speech engine and the command line's policy; None after reporting a failure."""
    try:
        factory = AssistFactory(learned_flags=get_settings().learned_flags)
    except RuleFileError as err:
        report_error(str(err.path), f"line {err.line}: {err.problem}")
        return None
    try:
        with db.session() as session:
            given = given_policy(Repository(session), args.policy, args.policy_json)
    except PolicyholderInputError as err:
        report_error("policy", str(err))
        return None
    engine = None
    if not args.no_transcribe:
        try:
            engine = load_engine(asr_config(get_settings()))
        except AsrError as err:
            report_error("speech engine", str(err))
            return None
    settings = get_settings()
    store = settings.store_voiceprints
    index = open_voiceprints(settings, db) if store else stored_voiceprints(settings, db)
    return _Run(db, factory, engine, given, date.today(), index, store)


def analyze_folder(folder: Path, args: argparse.Namespace) -> int:
    """Analyse and store every recording; 2 if any could not be read, after all the rest."""
    recordings = recordings_in(folder)
    db = open_db(args)
    if db is None:
        return EXIT_DATABASE
    try:
        run = _start(args, db)
        if run is None:
            return EXIT_BAD_INPUT
        failed = 0
        for path in tqdm(recordings, desc="analyze", unit="file", file=sys.stderr):
            try:
                line = _analyse_one(run, path.resolve())
            except AudioInputError as err:
                _say(err.source, err.problem)
                failed += 1
                continue
            except PolicyholderInputError as err:
                _say(str(path), str(err))
                failed += 1
                continue
            print(json.dumps(line, ensure_ascii=False), flush=True)
    finally:
        db.close()
    if failed:
        _say(str(folder), f"{failed} of {len(recordings)} recordings could not be analysed")
    return EXIT_BAD_INPUT if failed else 0
